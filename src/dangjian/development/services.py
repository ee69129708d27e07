"""Writes on development records. Each is one transaction: the record is locked, the user's scope re-checked, the
step checked by rules.check_step (order, durations, age, the 支部大会's decision) and by the checks that need the
database (the people a step names, the deciding meeting and its vote); a refusal raises ValidationError with the
rule's Chinese text and writes nothing. Acceptance (step 17 after 15) puts the person on the roster as a 预备党员;
step 24 carries out step 23's decision (转正, 延长预备期, 取消资格)."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from dangjian.core import clock
from dangjian.core.concurrency import check_version
from dangjian.core.lib import idcard
from dangjian.core.roles import Capability
from dangjian.fees import ledger as fee_ledger
from dangjian.meetings.models import Meeting
from dangjian.meetings.selectors import assembly_voters
from dangjian.members import services as member_services
from dangjian.members.choices import Category, ExitKind, Status
from dangjian.members.models import Member
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.models import Organization

from . import rules
from .choices import Origin, ReviewKind, State
from .models import Applicant, Review, StepPerson, StepRecord

ERR_OUT_OF_SCOPE = "您无权维护该发展对象的档案"
ERR_UPPER = "该步骤由上级党委登记（须有上级党组织的维护权限）"
ERR_NOT_BRANCH = "发展对象须编入党支部"
ERR_ENDED = "该档案已终止或已转正，不能再登记步骤"
ERR_RECORDED = "该步骤已登记（{date}）"
ERR_ROSTER_STEP = "花名册导入的预备党员只办理转正手续（第22—25步）"
ERR_MEETING = "请选择本支部已召开的支部党员大会（日期须与该步骤日期相同）"
ERR_VOTE_NUMBERS = "请填写应到会、实到会有表决权人数和赞成人数"
ERR_NO_DECISION = "尚未登记支部大会关于转正的决定"
ERR_NOT_PROBATIONARY = "只有在册的预备党员才能办理转正手续"
ERR_REVIEW_STAGE = "只有入党积极分子和预备党员有半年考察记录"
ERR_REASON = "请填写终止原因"
ERR_ID_OPEN = "该公民身份号码已有进行中的发展档案"
ERR_ID_MEMBER = "该公民身份号码已在花名册中，不能再作为发展对象建档"

ROLE_LABELS = {"talker": "谈话人", "contact": "培养联系人", "sponsor": "入党介绍人"}


@dataclass(frozen=True)
class Vote:
    """The 支部大会's figures as entered; with a linked meeting the first two come from its attendance instead."""

    voting_members: int | None = None
    present_voting: int | None = None
    in_favour: int | None = None


def may_change(user, applicant: Applicant) -> bool:
    return user.can(Capability.CHANGE, applicant.org.path)


def may_record_upper(user, org: Organization) -> bool:
    """The upper committee: CHANGE on the branch's parent (a superuser for a top-level org)."""
    if org.depth <= 1:
        return bool(user.is_superuser)
    return user.can(Capability.CHANGE, org.path[: -org.steplen])


def history_of(applicant: Applicant, records: Iterable[StepRecord] | None = None) -> dict[int, date]:
    """Step number → date, as the rules read it: steps 22–24 of the current round only; a roster 预备党员's steps
    before 22 are taken as done on the day they were accepted (their 入党日期)."""
    if records is None:
        records = StepRecord.objects.unrestricted().filter(applicant=applicant)  # the record's own steps
    history: dict[int, date] = {}
    for record in records:
        if record.step in rules.ROUND_STEPS and record.round != applicant.round:
            continue
        history[record.step] = record.done_on
    if applicant.origin == Origin.ROSTER and applicant.accepted_on:
        for number in range(1, 22):
            history.setdefault(number, applicant.accepted_on)
    return history


def _locked(by, applicant: Applicant, version: int | None = None) -> Applicant:
    locked = Applicant.objects.changeable_by(by).select_for_update().filter(pk=applicant.pk).first()
    if locked is None:
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    if version is not None:
        check_version(locked, version)
    return locked


def _check_branch(by, org: Organization) -> None:
    if not by.can(Capability.CHANGE, org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    if org.kind != OrgKind.BRANCH or org.is_dissolved:
        raise ValidationError({"org": ERR_NOT_BRANCH})


def _check_id_number(id_number: str, exclude_pk: int | None = None) -> None:
    # Across the whole system, whoever asks (like the roster's own check): a number is one person.
    if Member.objects.unrestricted().filter(id_number=id_number).exists():
        raise ValidationError({"id_number": ERR_ID_MEMBER})
    open_records = Applicant.objects.unrestricted().filter(id_number=id_number).exclude(state=State.ENDED)
    if open_records.exclude(pk=exclude_pk).exists():
        raise ValidationError({"id_number": ERR_ID_OPEN})


def _raise(verdict: rules.Verdict, field: str = "done_on") -> None:
    if not verdict.accepted:
        raise ValidationError({field: [finding.message for finding in verdict.refusals]})


@transaction.atomic
def create_applicant(*, by, org: Organization, applied_on: date, note: str = "", **person) -> Applicant:
    """A new record from the application (step 1): the person's particulars and the application date, checked
    against the age rule (18 on that day)."""
    _check_branch(by, org)
    applicant = Applicant(org=org, created_by=by, **person)
    applicant.id_number = idcard.normalize(applicant.id_number or "")
    applicant.name_pinyin = "".join(member_services.name_syllables(applicant.name))
    applicant.full_clean()
    _check_id_number(applicant.id_number)
    _raise(rules.check_step({}, 1, applied_on, rules.Facts(today=clock.today(), birth_date=applicant.birth_date)))
    applicant.save()
    application = StepRecord(applicant=applicant, step=1, done_on=applied_on, note=note, recorded_by=by)
    application.full_clean()
    application.save()
    refresh_due(applicant)
    return applicant


@transaction.atomic
def update_applicant(*, by, applicant: Applicant, version: int | None = None, **person) -> Applicant:
    """Correct the particulars of a record still in the pipeline (after acceptance the roster holds them)."""
    locked = _locked(by, applicant, version)
    if locked.state != State.PIPELINE:
        raise ValidationError(ERR_ENDED)
    for name, value in person.items():
        setattr(locked, name, value)
    locked.id_number = idcard.normalize(locked.id_number or "")
    locked.name_pinyin = "".join(member_services.name_syllables(locked.name))
    locked.full_clean()
    _check_id_number(locked.id_number, exclude_pk=locked.pk)
    applied_on = history_of(locked)[1]
    _raise(
        rules.check_step({}, 1, applied_on, rules.Facts(today=clock.today(), birth_date=locked.birth_date)),
        "birth_date",
    )
    locked.save()
    return locked


def _check_people(applicant: Applicant, step: int, member_ids: list[int], on: date) -> list[Member]:
    """The people step `step` names: their number (rules.PEOPLE) and each a full member of the branch on `on`."""
    role, least, most = rules.PEOPLE[step]
    label = ROLE_LABELS[role]
    ids = list(dict.fromkeys(member_ids))
    if not least <= len(ids) <= most:
        count = f"{least}名" if least == most else f"{least}至{most}名"
        raise ValidationError({"people": f"{label}须为{count}"})
    # Any member id may be posted: read them whoever asks, and say only what disqualifies them.
    people = list(Member.objects.unrestricted().filter(pk__in=ids).select_related("org"))
    errors = []
    if len(people) != len(ids):
        errors.append(f"{label}不在花名册中")
    for person in people:
        if person.org_id != applicant.org_id:  # not named: they may be outside the user's scope
            errors.append(f"{label}：{rules.RULE_PEOPLE_BRANCH}")
        elif person.status != Status.ACTIVE:
            errors.append(f"{label}{person.name}：{rules.RULE_PEOPLE_BRANCH}")
        elif person.category != Category.FULL or (person.full_member_on and person.full_member_on > on):
            errors.append(f"{label}{person.name}：{rules.RULE_PEOPLE_FULL}")
    if applicant.member_id in ids:
        errors.append(f"{label}不能是本人")
    if errors:
        raise ValidationError({"people": errors})
    return people


def _check_vote(applicant: Applicant, meeting: Meeting | None, vote: Vote, on: date) -> Vote:
    if meeting is not None:
        counts = assembly_voters(meeting, applicant.org, on)
        if counts is None:
            raise ValidationError({"meeting": ERR_MEETING})
        vote = Vote(*counts, vote.in_favour)
    if None in (vote.voting_members, vote.present_voting, vote.in_favour):
        raise ValidationError({"in_favour": ERR_VOTE_NUMBERS})
    try:
        verdict = rules.vote_passes(vote.voting_members, vote.present_voting, vote.in_favour)
    except ValueError as error:
        raise ValidationError({"in_favour": str(error)}) from None
    _raise(verdict, "in_favour")
    return vote


@transaction.atomic
def record_step(
    *,
    by,
    applicant: Applicant,
    step: int,
    done_on: date,
    note: str = "",
    people: Iterable[int] = (),
    meeting: Meeting | None = None,
    vote: Vote | None = None,
    decision: str = "",
    extend_months: int = 0,
    version: int | None = None,
) -> StepRecord:
    """Record one step of the record, if the rules allow it on `done_on`; what follows from it (acceptance onto the
    roster, 转正, an extension, a cancelled qualification) in the same transaction."""
    applicant = _locked(by, applicant, version)
    open_states = (
        (State.PIPELINE, State.PROBATION, State.CONFIRMED) if step == 25 else (State.PIPELINE, State.PROBATION)
    )
    if applicant.state not in open_states:
        raise ValidationError(ERR_ENDED)
    if step not in rules.BY_NUMBER:
        raise ValidationError({"step": "没有这个步骤"})
    if applicant.origin == Origin.ROSTER and step not in rules.ROSTER_STEPS:
        raise ValidationError({"step": ERR_ROSTER_STEP})
    if step in rules.UPPER_STEPS and not may_record_upper(by, applicant.org):
        raise PermissionDenied(ERR_UPPER)
    records = list(StepRecord.objects.unrestricted().filter(applicant=applicant))  # the record's own steps
    history = history_of(applicant, records)
    round_ = applicant.round if step in rules.ROUND_STEPS else 0
    if any(r.step == step and r.round == round_ for r in records):
        raise ValidationError({"step": ERR_RECORDED.format(date=history.get(step))})
    facts = rules.Facts(
        today=clock.today(),
        birth_date=applicant.birth_date,
        decision=decision or None,
        extend_months=extend_months,
        extended_months=applicant.extended_months,
    )
    verdict = rules.check_step(history, step, done_on, facts)
    _raise(verdict)
    chosen = _check_people(applicant, step, list(people), done_on) if step in rules.PEOPLE else []
    if step in rules.VOTE_STEPS:
        vote = _check_vote(applicant, meeting, vote or Vote(), done_on)
    else:
        vote, meeting = Vote(), None
    record = StepRecord(
        applicant=applicant,
        step=step,
        round=round_,
        done_on=done_on,
        note=note,
        meeting=meeting,
        voting_members=vote.voting_members,
        present_voting=vote.present_voting,
        in_favour=vote.in_favour,
        decision=decision if step == rules.CONFIRM_ASSEMBLY else "",
        extend_months=extend_months if decision == rules.EXTEND else 0,
        flags=[{"rule": f.rule, "message": f.message} for f in verdict.flags],
        recorded_by=by,
    )
    record.full_clean()
    record.save()
    role = rules.PEOPLE[step][0] if chosen else ""
    StepPerson.objects.bulk_create(StepPerson(record=record, member=person, role=role) for person in chosen)
    if step == rules.ASSEMBLY:
        applicant.accepted_on = done_on
    if step == rules.APPROVAL:
        _accept(by, applicant)
    if step == rules.CONFIRM_APPROVAL:
        _carry_out(by, applicant, records, done_on)
    applicant.save()
    refresh_due(applicant)
    return record


def _accept(by, applicant: Applicant) -> None:
    """The upper committee approved: the person enters the roster as a 预备党员 from the 支部大会's date, owing
    党费 from that month (fees.rules.owing_org): the ledger's lines of the months since are written now, at the
    roster's base (0, 待核定) until the secretary sets it (fees.bases.set_base re-prices them)."""
    applicant.member = member_services.member_create(
        acting_user=by,
        name=applicant.name,
        gender=applicant.gender,
        ethnicity=applicant.ethnicity,
        birth_date=applicant.birth_date,
        id_number=applicant.id_number,
        education=applicant.education,
        category=Category.PROBATIONARY,
        joined_on=applicant.accepted_on,
        org=applicant.org,
        position=applicant.position,
        phone=applicant.phone,
    )
    fee_ledger.open_member(applicant.member.pk, clock.today())
    applicant.state = State.PROBATION


def _carry_out(by, applicant: Applicant, records: list[StepRecord], approved_on: date) -> None:
    """Step 24: the upper committee approved step 23's decision of this round."""
    decided = next((r for r in records if r.step == rules.CONFIRM_ASSEMBLY and r.round == applicant.round), None)
    if decided is None:
        raise ValidationError({"step": ERR_NO_DECISION})
    member = Member.objects.unrestricted().get(pk=applicant.member_id)  # the record's own roster row
    if decided.decision == rules.CONFIRM:
        full_on = rules.probation_end(applicant.accepted_on, applicant.extended_months)
        member_services.member_update(acting_user=by, member=member, category=Category.FULL, full_member_on=full_on)
        applicant.full_member_on = full_on
        applicant.state = State.CONFIRMED
    elif decided.decision == rules.EXTEND:
        applicant.extended_months += decided.extend_months
        applicant.round += 1
    else:
        member_services.member_change_status(
            acting_user=by,
            member=member,
            to_status=Status.EXPELLED,
            exit_kind=ExitKind.CANCELLED,
            changed_on=approved_on,
            reason=f"支部大会决定取消预备党员资格（{decided.done_on}），上级党委批准（{approved_on}）",
        )
        applicant.state = State.ENDED
        applicant.ended_on = approved_on
        applicant.ended_reason = rules.DECISIONS[rules.CANCEL]


@transaction.atomic
def end_applicant(*, by, applicant: Applicant, ended_on: date, reason: str, version: int | None = None) -> Applicant:
    """End a record still in the pipeline (本人撤回申请, 不再列为积极分子/发展对象 …) with its reason. A 预备党员's
    qualification is cancelled through steps 23–24 instead."""
    applicant = _locked(by, applicant, version)
    if applicant.state != State.PIPELINE:
        raise ValidationError(ERR_ENDED)
    if not reason.strip():
        raise ValidationError({"reason": ERR_REASON})
    first = StepRecord.objects.unrestricted().filter(applicant=applicant, step=1).values_list("done_on", flat=True)
    if ended_on > clock.today() or ended_on < first[0]:
        raise ValidationError({"ended_on": "终止日期须在申请日期之后、且不晚于今天"})
    applicant.state, applicant.ended_on, applicant.ended_reason = State.ENDED, ended_on, reason.strip()[:500]
    applicant.save()
    refresh_due(applicant)
    return applicant


@transaction.atomic
def probation_record(*, by, member: Member) -> Applicant:
    """The record of a 预备党员 on the roster: theirs if they came through the pipeline, else a new one (origin
    ROSTER) whose 预备期 runs from their 入党日期. The 转正 procedure (steps 22–25) is recorded on it."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if not by.can(Capability.CHANGE, member.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    existing = Applicant.objects.unrestricted().filter(member=member).first()  # the member's own record
    if existing is not None:
        return existing
    if member.status != Status.ACTIVE or member.category != Category.PROBATIONARY:
        raise ValidationError(ERR_NOT_PROBATIONARY)
    applicant = Applicant.objects.create(
        org=member.org,
        name=member.name,
        name_pinyin=member.name_pinyin,
        gender=member.gender,
        ethnicity=member.ethnicity,
        birth_date=member.birth_date,
        id_number=member.id_number,
        education=member.education,
        position=member.position,
        phone=member.phone,
        origin=Origin.ROSTER,
        state=State.PROBATION,
        member=member,
        accepted_on=member.joined_on,
        last_step=21,
        stage=4,
        created_by=by,
    )
    refresh_due(applicant)
    return applicant


@transaction.atomic
def add_review(*, by, applicant: Applicant, done_on: date, content: str) -> Review:
    """A half-yearly 考察 record of an 积极分子 (steps 4–6 recorded, 7 not yet) or a 预备党员."""
    applicant = _locked(by, applicant)
    kind = review_kind(applicant)
    if kind is None:
        raise ValidationError(ERR_REVIEW_STAGE)
    review = Review(applicant=applicant, kind=kind, done_on=done_on, content=content.strip(), recorded_by=by)
    if done_on > clock.today():
        raise ValidationError({"done_on": rules.RULE_FUTURE})
    review.full_clean()
    review.save()
    refresh_due(applicant)
    return review


def review_kind(applicant: Applicant) -> str | None:
    if applicant.state == State.PROBATION:
        return ReviewKind.PROBATION
    if applicant.state == State.PIPELINE and 4 <= applicant.last_step < 7:
        return ReviewKind.ACTIVIST
    return None


def refresh_due(applicant: Applicant, records: Iterable[StepRecord] | None = None) -> None:
    """Store the record's stage, next step and its window, and the next 考察 record's day (the lists read them)."""
    records = list(records if records is not None else StepRecord.objects.unrestricted().filter(applicant=applicant))
    history = history_of(applicant, records)
    standing = rules.standing(
        history,
        [r.step for r in records],
        applicant.extended_months,
        active=applicant.state in (State.PIPELINE, State.PROBATION, State.CONFIRMED),  # 归档 follows 转正
        roster=applicant.origin == Origin.ROSTER,
        last_step=applicant.last_step,
    )
    applicant.last_step, applicant.stage = standing.last_step, standing.stage
    applicant.next_step, applicant.ready_on, applicant.due_on = (
        standing.next.step,
        standing.next.ready_on,
        standing.next.due_on,
    )
    applicant.review_due_on = None
    kind = review_kind(applicant)
    if kind is not None:
        started = applicant.accepted_on if kind == ReviewKind.PROBATION else history.get(4)
        last = (
            Review.objects.unrestricted()  # the record's own reviews
            .filter(applicant=applicant, kind=kind)
            .order_by("-done_on")
            .values_list("done_on", flat=True)
            .first()
        )
        applicant.review_due_on = rules.review_due(started, last) if started else None
    Applicant.objects.unrestricted().filter(pk=applicant.pk).update(
        last_step=applicant.last_step,
        stage=applicant.stage,
        next_step=applicant.next_step,
        ready_on=applicant.ready_on,
        due_on=applicant.due_on,
        review_due_on=applicant.review_due_on,
    )


def people_of(records: Iterable[StepRecord]) -> Mapping[int, list[StepPerson]]:
    """record id → its people, in one query (for a record's page and its .docx)."""
    found: dict[int, list[StepPerson]] = {}
    ids = [r.pk for r in records]
    for person in StepPerson.objects.filter(record_id__in=ids).select_related("member").order_by("role", "id"):
        found.setdefault(person.record_id, []).append(person)
    return found

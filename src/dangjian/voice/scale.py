"""党员之声's part of the scale sets (dangjian.core.scale): each part adds its producer in its section."""

from datetime import date

from dangjian.core.scale import ADMIN_USERNAME, ScaleContext, reset_sequence, scale_producer, write_rows
from dangjian.members.scale import scale_members
from dangjian.orgs.choices import OrgKind
from dangjian.orgs.scale import scale_orgs

from .choices import CommitmentGrade, Phase
from .commitments import phase_opens
from .models import Commitment, Fulfilment, ServicePromise

# ── proposals

# ── commitments
#: Rows per write_rows call.
CHUNK = 20_000
PROMISES_PER_BRANCH = 3
GRADES = CommitmentGrade.values


def _stamp(day: date):
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, 2, tzinfo=UTC)


@scale_producer(order=96)
def produce_commitments(ctx: ScaleContext) -> None:
    """This year's commitment of about nine members in ten (践诺 as far as the year has gone, some graded), and a few
    service promises per branch (its department's)."""
    members = scale_members(ctx)
    branches = scale_orgs(ctx, OrgKind.BRANCH)
    if not members:
        return
    today = ctx.today
    year = today.year
    admin = ctx.users.get(ADMIN_USERNAME)
    published = min(date(year, 1, 15), today)
    stamp = _stamp(today)
    label = "承诺践诺"
    ctx.report(label, 0, len(members))
    next_c = (Commitment.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    next_f = (Fulfilment.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    c_fields = ["id", "org_id", "member_id", "year", "content", "measures", "published_on", "grade", "grade_note",
                "graded_on", "graded_by_id", "created_by_id", "version", "created_at", "updated_at"]  # fmt: skip
    f_fields = ["id", "commitment_id", "phase", "done", "evidence", "recorded_on", "recorded_by_id", "version",
                "created_at", "updated_at"]  # fmt: skip
    opened = [p for p in (Phase.MID, Phase.END) if today >= phase_opens(p, year)]
    c_rows, f_rows, made = [], [], 0
    for n, m in enumerate(members):
        if ctx.rng.random() < 0.1 or m.status != "active":
            continue
        done = [p for p in opened if ctx.rng.random() < 0.8]
        graded = Phase.END in done and ctx.rng.random() < 0.5
        grade = ctx.rng.choice(GRADES) if graded else ""
        c_rows.append((next_c, m.org_id, m.id, year, "立足岗位作表率，服务群众办实事", "全年学习不少于12次；办结率100%",
                       published, grade, "", today if graded else None, admin if graded else None, None, 1, stamp,
                       stamp))  # fmt: skip
        for phase in done:
            f_rows.append((next_f, next_c, phase, "按承诺推进，完成预定目标", "", today, None, 1, stamp, stamp))
            next_f += 1
        next_c += 1
        made += 1
        if len(c_rows) >= CHUNK:
            write_rows(Commitment, c_fields, c_rows)
            write_rows(Fulfilment, f_fields, f_rows)
            c_rows, f_rows = [], []
            ctx.report(label, n, len(members))
    write_rows(Commitment, c_fields, c_rows)
    write_rows(Fulfilment, f_fields, f_rows)
    ctx.counts[label] = made
    p_rows = []
    next_p = (ServicePromise.objects.unrestricted().order_by("-pk").values_list("pk", flat=True).first() or 0) + 1
    for org in branches:
        for k in range(PROMISES_PER_BRANCH):
            p_rows.append((next_p, org.id, f"服务事项{k + 1}", k + 1, "按时限办结并告知办理结果", True, admin, 1,
                           stamp, stamp))  # fmt: skip
            next_p += 1
    write_rows(
        ServicePromise,
        ["id", "org_id", "item", "time_limit_days", "standard", "active", "created_by_id", "version", "created_at",
         "updated_at"],
        p_rows,
    )  # fmt: skip
    ctx.counts["服务承诺"] = len(p_rows)
    for model in (Commitment, Fulfilment, ServicePromise):
        reset_sequence(model)
    ctx.report(label, len(members), len(members))


# ── inquiries

# ── surveys

# ── consultations

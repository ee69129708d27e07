"""The org pages as the personas of conftest.world: what they show, and every form's refusals and successes.

Scope (who gets a 404) is covered for every URL by core/tests/test_scope_every_url.py; here, the content.
"""

import html
import re
from datetime import date, timedelta

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from dangjian.core import clock as core_clock
from dangjian.core.forms import ERR_CHOICE, ERR_DATE, ERR_REQUIRED
from dangjian.core.lib.dates import format_cn_date
from dangjian.members.tests.factories import MemberFactory
from dangjian.orgs import rules, selectors, services
from dangjian.orgs.choices import CommitteeRole, OrgKind
from dangjian.orgs.models import CommitteeSeat, CommitteeTerm, Organization
from dangjian.orgs.tests.factories import OrgFactory

REQUIRED = ERR_REQUIRED
INVALID_DATE = ERR_DATE
INVALID_MODEL_CHOICE = ERR_CHOICE


def invalid_choice(value: str) -> str:
    return ERR_CHOICE  # the same for every value: a user sees it only after tampering with the page


FEEDBACK = re.compile(r'<div class="invalid-feedback d-block" data-field="(\w+)">(.*?)</div>', re.S)
ALERT = re.compile(r'<div class="alert alert-danger" role="alert">(.*?)</div>\s*<div class="row', re.S)


def field_errors(response) -> dict[str, list[str]]:
    """The messages shown next to each field (generic/form_fields.html)."""
    errors: dict[str, list[str]] = {}
    for field, message in FEEDBACK.findall(response.content.decode()):
        errors.setdefault(field, []).append(html.unescape(message.strip()))
    return errors


def form_alert(response) -> str:
    """The form-wide messages (non-field errors), as text."""
    found = ALERT.search(response.content.decode())
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).strip() if found else ""


def db_state() -> tuple:
    """Everything the org forms could write, to show a refused POST saved nothing."""
    return (
        list(Organization.objects.order_by("pk").values()),
        list(CommitteeTerm.objects.order_by("pk").values()),
        list(CommitteeSeat.objects.order_by("pk").values()),
        LogEntry.objects.count(),
    )


def assert_refused(client, url: str, data: dict, errors: dict[str, list[str]]) -> None:
    """POST `data`: HTTP 400, exactly `errors` next to their fields, and nothing saved."""
    before = db_state()
    response = client.post(url, data)
    assert response.status_code == 400
    assert field_errors(response) == errors
    assert db_state() == before


def row(response, name: str) -> list[str]:
    """The cells (as text) of the org tree's row for the org called `name`."""
    content = response.content.decode()
    rows = [r for r in re.findall(r"<tr[^>]*>(.*?)</tr>", content, re.S) if f">{name}</a>" in r]
    assert len(rows) == 1, f"{name} shown {len(rows)} times"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S)
    return [html.unescape(re.sub(r"<[^>]+>", " ", c)).split() for c in cells]


def terms_far_from_expiry(world) -> None:
    """World's terms end on a fixed date; keep them away from the reminder window whatever today is."""
    CommitteeTerm.objects.filter(pk__in=[world.term_a.pk, world.term_b.pk]).update(
        ends_on=core_clock.today() + timedelta(days=2 * 365)
    )


# ── tree and detail pages ───────────────────────────────────────────────────


def test_the_tree_shows_member_counts_and_warnings(world, client_for):
    terms_far_from_expiry(world)
    MemberFactory(org=world.branch_b, category="probationary", full_member_on=None)
    response = client_for(world.admin).get(reverse("orgs:tree"))
    assert response.status_code == 200

    # name, kind, department, full, probationary, total, warnings
    committee = row(response, "测试机关党委")
    assert committee[3:6] == [["3"], ["1"], ["4"]]
    branch_a = row(response, "办公室党支部")
    assert branch_a[3:6] == [["2"], ["0"], ["2"]]
    few = selectors.WARN_FEW_FULL_MEMBERS.format(full=2, minimum=rules.MIN_FULL_MEMBERS_FOR_BRANCH)
    assert " ".join(branch_a[6]) == few
    assert row(response, "第一党小组")[3:6] == [["1"], ["0"], ["1"]]
    branch_b = row(response, "财务处党支部")
    assert branch_b[3:6] == [["1"], ["1"], ["2"]]
    assert " ".join(branch_b[6]) == selectors.WARN_FEW_FULL_MEMBERS.format(full=1, minimum=3)


def test_a_secretary_sees_their_branch_only(world, client_for):
    response = client_for(world.secretary_b).get(reverse("orgs:tree"))
    assert row(response, "财务处党支部")[3:6] == [["1"], ["0"], ["1"]]
    assert "办公室党支部" not in response.content.decode()


def test_the_tree_hides_dissolved_orgs_unless_asked(world, client_for):
    empty = OrgFactory(name="已撤并党支部", code="E", parent=world.committee)
    services.org_dissolve(acting_user=world.admin, org=empty, dissolved_on=date(2026, 1, 1))
    client = client_for(world.admin)
    assert "已撤并党支部" not in client.get(reverse("orgs:tree")).content.decode()
    assert row(client.get(reverse("orgs:tree") + "?dissolved=1"), "已撤并党支部")[0] == ["已撤并党支部", "已撤销"]


def test_the_detail_page_shows_the_committee(world, client_for):
    services.seat_add(
        acting_user=world.admin,
        term=world.term_a,
        member=world.member_a,
        role=CommitteeRole.ORGANIZATION,
        started_on=date(2025, 2, 1),
    )
    response = client_for(world.member_user_a).get(reverse("orgs:detail", args=[world.branch_a.pk]))
    assert response.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())).replace("： ", "：")
    assert "委员会（2025年1月10日 — 2028年1月10日）" in text
    assert "书记：张宏伟 2025年1月10日起" in text
    assert "组织委员：王小明 2025年2月1日起" in text
    assert "在册党员 2 人（正式 2，预备 0）" in text.replace("人 （", "人（")
    # A plain member's page links only where they may go: their own record, not the secretary's nor the roster.
    page = response.content.decode()
    assert f'href="{reverse("members:detail", args=[world.member_a.pk])}"' in page
    assert f'href="{reverse("members:detail", args=[world.member_a2.pk])}"' not in page
    roster = reverse("members:list")
    assert (
        f'href="{roster}"' not in page
        and f'href="{roster}?' not in page
        and f'href="{reverse("orgs:tree")}"' not in page
    )
    # The warning of the branch is shown with its source.
    assert selectors.WARN_FEW_FULL_MEMBERS.format(full=2, minimum=3) in text
    # A plain member gets no buttons.
    assert reverse("orgs:term_create", args=[world.branch_a.pk]) not in response.content.decode()


def test_the_detail_page_offers_the_actions_to_the_secretary(world, client_for):
    content = client_for(world.secretary_a).get(reverse("orgs:detail", args=[world.branch_a.pk])).content.decode()
    for url in (
        reverse("orgs:edit", args=[world.branch_a.pk]),
        reverse("orgs:term_create", args=[world.branch_a.pk]),
        reverse("orgs:seat_add", args=[world.term_a.pk]),
        reverse("orgs:seat_end", args=[world.seat_a.pk]),
    ):
        assert f'href="{url}"' in content
    # Moving or dissolving the branch needs the right over its parent (the 党总支).
    assert reverse("orgs:move", args=[world.branch_a.pk]) not in content


# ── create ──────────────────────────────────────────────────────────────────


def test_create_refuses_a_kind_not_allowed_under_the_parent(world, client_for):
    client = client_for(world.admin)
    url = reverse("orgs:create") + f"?parent={world.committee.pk}"
    data = {"name": "党小组", "kind": OrgKind.GROUP, "code": "X1"}
    assert_refused(client, url, data, {"kind": [invalid_choice("group")]})


def test_create_refuses_a_duplicate_code_and_a_missing_name(world, client_for):
    client = client_for(world.secretary_a)
    url = reverse("orgs:create") + f"?parent={world.branch_a.pk}"
    data = {"name": "", "kind": OrgKind.GROUP, "code": "B"}
    assert_refused(client, url, data, {"name": [REQUIRED], "code": ["已有相同组织编码的党组织"]})


def test_create_adds_the_org_under_the_parent(world, client_for):
    client = client_for(world.secretary_a)
    url = reverse("orgs:create") + f"?parent={world.branch_a.pk}"
    response = client.post(url, {"name": "第二党小组", "kind": OrgKind.GROUP, "code": "A-2"})
    group = Organization.objects.get(code="A-2")
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[group.pk])
    assert (group.name, group.kind) == ("第二党小组", OrgKind.GROUP)
    assert Organization.objects.get_parent(group) == world.branch_a


# ── edit ────────────────────────────────────────────────────────────────────


def test_edit_refuses_invalid_data(world, client_for):
    client = client_for(world.secretary_a)
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    assert_refused(client, url, {"name": "", "code": "A", "version": 1}, {"name": [REQUIRED]})
    errors = {"code": ["已有相同组织编码的党组织"]}
    assert_refused(client, url, {"name": "办公室党支部", "code": "B", "version": 1}, errors)


def test_edit_saves_the_new_name(world, client_for):
    url = reverse("orgs:edit", args=[world.branch_a.pk])
    response = client_for(world.secretary_a).post(
        url, {"name": "综合办公室党支部", "code": "A", "department": "综合办", "version": 1}
    )
    assert response.status_code == 302
    branch = Organization.objects.get(pk=world.branch_a.pk)
    assert (branch.name, branch.department) == ("综合办公室党支部", "综合办")


# ── move ────────────────────────────────────────────────────────────────────


def test_move_refuses_a_target_outside_the_offered_ones(world, client_for):
    empty_group = OrgFactory(name="空党小组", kind=OrgKind.GROUP, code="A-9", parent=world.branch_a)
    # 财务处党支部 is outside the secretary of A's scope; the committee is of the wrong kind for a group.
    for target in (world.branch_b, world.committee):
        url = reverse("orgs:move", args=[empty_group.pk])
        data = {"parent": target.pk, "version": 1}
        assert_refused(client_for(world.secretary_a), url, data, {"parent": [INVALID_MODEL_CHOICE]})
    # An org's own subtree is not offered either.
    url = reverse("orgs:move", args=[world.general.pk])
    data = {"parent": world.branch_a.pk, "version": 1}
    assert_refused(client_for(world.admin), url, data, {"parent": [INVALID_MODEL_CHOICE]})


def test_move_refuses_a_group_with_members_going_to_another_branch(world, client_for):
    url = reverse("orgs:move", args=[world.group_a.pk])
    errors = {"parent": [services.ERR_MOVE_GROUP_MEMBERS.format(n=1)]}
    assert_refused(client_for(world.admin), url, {"parent": world.branch_b.pk, "version": 1}, errors)


def test_move_moves_the_subtree(world, client_for):
    response = client_for(world.admin).post(
        reverse("orgs:move", args=[world.branch_a.pk]), {"parent": world.committee.pk, "version": 1}
    )
    assert response.status_code == 302
    branch = Organization.objects.get(pk=world.branch_a.pk)
    assert Organization.objects.get_parent(branch) == world.committee
    assert list(Organization.objects.get_descendants(branch)) == [world.group_a]


# ── dissolve ────────────────────────────────────────────────────────────────


def test_dissolve_refuses_an_invalid_date(world, client_for):
    empty = OrgFactory(name="空党支部", code="E", parent=world.committee)
    url = reverse("orgs:dissolve", args=[empty.pk])
    errors = {"dissolved_on": [INVALID_DATE]}
    assert_refused(client_for(world.admin), url, {"dissolved_on": "2026-13-01", "version": 1}, errors)
    assert_refused(client_for(world.admin), url, {"dissolved_on": "", "version": 1}, {"dissolved_on": [REQUIRED]})


def test_dissolve_refuses_an_org_with_members(world, client_for):
    # Not about one field: the refusal is shown above the form.
    client = client_for(world.admin)
    url = reverse("orgs:dissolve", args=[world.branch_b.pk])
    before = db_state()
    response = client.post(url, {"dissolved_on": "2026-01-01", "version": 1})
    assert response.status_code == 400
    assert form_alert(response) == services.ERR_DISSOLVE_MEMBERS.format(n=1)
    assert db_state() == before


def test_dissolve_marks_the_org(world, client_for):
    empty = OrgFactory(name="空党支部", code="E", parent=world.committee)
    url = reverse("orgs:dissolve", args=[empty.pk])
    response = client_for(world.admin).post(url, {"dissolved_on": "2026-01-01", "version": 1})
    assert response.status_code == 302
    assert Organization.objects.get(pk=empty.pk).dissolved_on == date(2026, 1, 1)


# ── term ────────────────────────────────────────────────────────────────────


def test_term_refuses_an_end_before_the_start(world, client_for, clock):
    clock.set(date(2028, 3, 1))  # after the start: a term cannot start in the future
    url = reverse("orgs:term_create", args=[world.branch_a.pk])
    data = {"started_on": "2028-01-10", "ends_on": "2027-12-31"}
    assert_refused(client_for(world.secretary_a), url, data, {"ends_on": ["任期届满日期必须晚于开始日期"]})


def test_term_refuses_a_start_before_the_current_term(world, client_for):
    url = reverse("orgs:term_create", args=[world.branch_a.pk])
    errors = {"started_on": [services.ERR_TERM_BEFORE_CURRENT.format(date=format_cn_date(date(2025, 1, 10)))]}
    assert_refused(client_for(world.secretary_a), url, {"started_on": "2024-06-01"}, errors)
    assert_refused(client_for(world.secretary_a), url, {"started_on": ""}, {"started_on": [REQUIRED]})


def test_term_opens_a_new_term(world, client_for, clock):
    clock.set(date(2028, 3, 1))
    url = reverse("orgs:term_create", args=[world.branch_a.pk])
    response = client_for(world.secretary_a).post(url, {"started_on": "2028-01-10", "ends_on": ""})
    assert response.status_code == 302
    term = CommitteeTerm.objects.filter(org=world.branch_a).order_by("-started_on").first()
    assert (term.started_on, term.ends_on) == (date(2028, 1, 10), date(2031, 1, 10))
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on == date(2028, 1, 10)


# ── seats ───────────────────────────────────────────────────────────────────


def test_seat_add_refuses_a_second_secretary(world, client_for):
    url = reverse("orgs:seat_add", args=[world.term_a.pk])
    data = {"member": world.member_a.pk, "role": CommitteeRole.SECRETARY, "started_on": "2025-02-01"}
    assert_refused(client_for(world.secretary_a), url, data, {"role": ["本届委员会已有在任书记"]})


def test_seat_add_refuses_a_member_outside_the_branch(world, client_for):
    url = reverse("orgs:seat_add", args=[world.term_a.pk])
    data = {"member": world.member_b.pk, "role": CommitteeRole.ORGANIZATION, "started_on": "2025-02-01"}
    assert_refused(client_for(world.admin), url, data, {"member": [INVALID_MODEL_CHOICE]})


def test_seat_add_does_not_offer_a_probationary_member(world, client_for):
    # 党章第七条: 预备党员 have no right to be elected.
    probationary = MemberFactory(org=world.branch_a, category="probationary", full_member_on=None)
    url = reverse("orgs:seat_add", args=[world.term_a.pk])
    data = {"member": probationary.pk, "role": CommitteeRole.YOUTH, "started_on": "2025-02-01"}
    assert_refused(client_for(world.secretary_a), url, data, {"member": [INVALID_MODEL_CHOICE]})


def test_seat_add_refuses_a_member_already_on_the_committee(world, client_for):
    url = reverse("orgs:seat_add", args=[world.term_a.pk])
    data = {"member": world.member_a2.pk, "role": CommitteeRole.ORGANIZATION, "started_on": "2025-02-01"}
    assert_refused(client_for(world.secretary_a), url, data, {"member": ["该党员已在本届委员会任职"]})


def test_seat_add_adds_the_member(world, client_for):
    url = reverse("orgs:seat_add", args=[world.term_a.pk])
    data = {"member": world.member_a.pk, "role": CommitteeRole.ORGANIZATION, "started_on": "2025-02-01"}
    response = client_for(world.secretary_a).post(url, data)
    assert response.status_code == 302
    assert response["Location"] == reverse("orgs:detail", args=[world.branch_a.pk])
    seat = CommitteeSeat.objects.get(term=world.term_a, member=world.member_a)
    assert (seat.role, seat.started_on, seat.ended_on) == (CommitteeRole.ORGANIZATION, date(2025, 2, 1), None)


def test_seat_end_refuses_a_date_before_the_start(world, client_for):
    url = reverse("orgs:seat_end", args=[world.seat_a.pk])
    assert_refused(
        client_for(world.secretary_a), url, {"ended_on": "2025-01-09"}, {"ended_on": [services.ERR_SEAT_ENDED]}
    )


def test_seat_end_ends_the_seat(world, client_for):
    response = client_for(world.secretary_a).post(
        reverse("orgs:seat_end", args=[world.seat_a.pk]), {"ended_on": "2025-06-30"}
    )
    assert response.status_code == 302
    assert CommitteeSeat.objects.get(pk=world.seat_a.pk).ended_on == date(2025, 6, 30)


# ── reminders on the home page ──────────────────────────────────────────────


def reminders(client) -> list[str]:
    content = client.get(reverse("core:home")).content.decode()
    block = re.search(r'data-testid="reminders">(.*?)</ul>', content, re.S).group(1)
    items = re.findall(r"<li[^>]*>(.*?)</li>", block, re.S)
    return [re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", item))).strip() for item in items]


@pytest.mark.parametrize("persona", ["secretary_a", "secretary_b", "member_user_a"])
def test_home_shows_the_warnings_of_the_secretarys_own_branch(world, client_for, persona, clock):
    # Branch A's term ends within 3 months (选举条例: remind before expiry); both branches lack 3 full members
    # (支部条例第五条).
    terms_far_from_expiry(world)
    ends_on = clock.today() + timedelta(days=30)
    CommitteeTerm.objects.filter(pk=world.term_a.pk).update(ends_on=ends_on)
    shown = reminders(client_for(world.personas()[persona]))

    few_a = "办公室党支部：" + selectors.WARN_FEW_FULL_MEMBERS.format(full=2, minimum=3)
    term_a = "办公室党支部：" + selectors.WARN_TERM_EXPIRING.format(ends_on=format_cn_date(ends_on))
    few_b = "财务处党支部：" + selectors.WARN_FEW_FULL_MEMBERS.format(full=1, minimum=3)
    expected, other_branch = {
        "secretary_a": ([few_a, term_a], "财务处党支部"),
        "secretary_b": ([few_b], "办公室党支部"),
        "member_user_a": ([], None),  # a plain member does not oversee the branch
    }[persona]
    for title in expected:
        assert any(r.startswith(title) for r in shown), f"{persona} misses {title!r}"
    if other_branch:
        assert not [r for r in shown if other_branch in r]
    else:
        assert not [r for r in shown if r.startswith((few_a, term_a, few_b))]
    if persona == "secretary_a":
        assert f"{few_a} 依据：{selectors.SOURCE_FEW_FULL_MEMBERS}" in shown

"""Scope cases of the meetings URLs: how each answers every persona (collected by core/tests/scope_walk.py)."""

from dangjian.core.tests.scope_walk import A_SIDE, B_SIDE, CHANGE_A, PERSONAS, ApiCase, Case

from .parts_world import part

CASES: dict[str, Case] = {}

# parts: attachments, 组织生活会, 民主评议, .docx, talks. A plain member of A sees the meetings they are invited to.
CHANGE_B = {"admin", "secretary_b"}


def _parts_case(name: str, target: str, *, change: bool, **kwargs) -> Case:
    return Case(
        a_ok=CHANGE_A if change else A_SIDE,
        b_ok=CHANGE_B if change else B_SIDE,
        a=part(target, "a"),
        b=part(target, "b"),
        **kwargs,
    )


def _org_year(attr: str):
    def target(w):
        from .parts_world import parts_of  # noqa: PLC0415

        meeting = parts_of(w, attr)["meeting"]
        org = w.branch_a if attr == "a" else w.branch_b
        return [org.pk], f"?year={meeting.starts_at.year}"

    return target


CASES |= {
    "meetings:parts": _parts_case("parts", "meeting", change=False, post=False),
    "meetings:attachment_upload": _parts_case("upload", "meeting", change=True),
    # Downloads: GET only (post=False keeps them out of the form-page walk).
    "meetings:attachment_download": _parts_case("download", "attachment", change=False, post=False),
    "meetings:attachment_delete": _parts_case("delete", "attachment", change=True, get=False),
    "meetings:life_item_create": _parts_case("life", "meeting", change=True),
    "meetings:life_item_edit": _parts_case("life", "life_item", change=True),
    "meetings:life_item_delete": _parts_case("life", "life_item", change=True, get=False),
    "meetings:rectification_create": _parts_case("rect", "meeting", change=True),
    "meetings:rectification_edit": _parts_case("rect", "rectification", change=True),
    "meetings:rectification_delete": _parts_case("rect", "rectification", change=True, get=False),
    "meetings:appraisal": _parts_case("appraisal", "meeting", change=True),
    "meetings:docx": _parts_case("docx", "meeting", change=False, post=False),
    "meetings:year_docx": Case(a_ok=A_SIDE, b_ok=B_SIDE, a=_org_year("a"), b=_org_year("b"), post=False),
    # Everyone has a talk list: their scope's talks, a plain member their own.
    "meetings:talk_list": Case(a_ok=set(PERSONAS), post=False),
    "meetings:talk_create": Case(
        a_ok=CHANGE_A,
        b_ok=CHANGE_B,
        a=lambda w: ([], f"?org={w.branch_a.pk}"),
        b=lambda w: ([], f"?org={w.branch_b.pk}"),
    ),
    "meetings:talk_edit": _parts_case("talk", "talk", change=True),
}

API_CASES: dict[str, ApiCase] = {}

"""The printable 中国共产党党员组织关系介绍信: an A4 PDF drawn by WeasyPrint from an HTML template in Noto Sans CJK SC
(as meetings/sheet.py): the 存根 at the top, a cut line, the letter proper, another cut line and the 回执 slip.

党费交至 stays a blank to fill by hand: the fees app sits above members (import-linter layers), so the roster cannot ask
it how far a member has paid."""

from django.template.loader import render_to_string

from dangjian.core import clock
from dangjian.core.lib.dates import age_on

from .choices import Category, TransferKind
from .models import Transfer
from .selectors import id_number_for


def letter_context(user, transfer: Transfer) -> dict:
    """What the letter shows; the ID number masked for a user without the personal-data right on the member."""
    member = transfer.member
    to_name = transfer.to_org.name if transfer.to_org_id else transfer.external_org
    from_name = transfer.from_org.name if transfer.from_org_id else transfer.external_org
    days = (transfer.letter_valid_until - transfer.transferred_on).days if transfer.letter_valid_until else None
    return {
        "transfer": transfer,
        "member": member,
        "id_number": id_number_for(user, member),
        "age": age_on(member.birth_date, transfer.transferred_on),
        "category": "预备" if member.category == Category.PROBATIONARY else "正式",
        "from_name": from_name,
        "to_name": to_name,
        "issuer": transfer.letter_issuer.name if transfer.letter_issuer_id else from_name,
        "valid_days": days,
        "is_internal": transfer.kind == TransferKind.INTERNAL,
        "printed_on": clock.today(),
    }


def render_html(user, transfer: Transfer) -> str:
    return render_to_string("members/transfers/letter_pdf.html", letter_context(user, transfer))


def render_pdf(user, transfer: Transfer) -> bytes:
    from weasyprint import HTML  # imported here: it loads Pango and fonts, which only this page needs

    return HTML(string=render_html(user, transfer)).write_pdf()


def filename(transfer: Transfer) -> str:
    return f"组织关系介绍信_{transfer.member.name}_{transfer.letter_number or transfer.pk}_{clock.today():%Y%m%d}.pdf"

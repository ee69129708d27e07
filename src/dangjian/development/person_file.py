"""One person's development file as Word (发展党员工作档案): particulars (masked as the reader may see them), the 25
steps with their dates, people and notes, the 考察 records and the list of materials. Written with python-docx."""

import io
from datetime import date

from docx import Document as WordDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn

from . import rules, services
from .choices import Origin
from .models import Applicant, Document, Review, StepRecord

TITLE = "发展党员工作档案"
FONT = "SimSun"


def _day(value: date | None) -> str:
    return f"{value:%Y年%m月%d日}".replace("年0", "年").replace("月0", "月") if value else ""


def person_docx(
    applicant: Applicant,
    *,
    records: list[StepRecord],
    reviews: list[Review],
    documents: list[Document],
    id_number: str,
    phone: str,
    birth_date: date | None,
) -> io.BytesIO:
    doc = WordDocument()
    style = doc.styles["Normal"]
    style.font.name = FONT
    style.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    heading = doc.add_heading(TITLE, level=0)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER

    doc.add_heading("基本情况", level=1)
    particulars = [
        ("姓名", applicant.name),
        ("性别", applicant.get_gender_display()),
        ("民族", applicant.ethnicity),
        ("出生日期", _day(birth_date) or "（不显示）"),
        ("公民身份号码", id_number),
        ("学历", applicant.get_education_display()),
        ("工作岗位/职务", applicant.position),
        ("联系电话", phone),
        ("所在党支部", applicant.org.name),
        ("状态", applicant.get_state_display()),
        ("所处阶段", applicant.get_stage_display()),
    ]
    if applicant.accepted_on:
        particulars.append(("支部大会接收日期", _day(applicant.accepted_on)))
    if applicant.full_member_on:
        particulars.append(("转正日期", _day(applicant.full_member_on)))
    if applicant.ended_on:
        particulars.append(("终止", f"{_day(applicant.ended_on)}　{applicant.ended_reason}"))
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in particulars:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value

    doc.add_heading("发展程序", level=1)
    if applicant.origin == Origin.ROSTER:
        doc.add_paragraph("该预备党员由花名册导入，第1—21步早于本系统，未在此登记。")
    people = services.people_of(records)
    by_step: dict[int, list[StepRecord]] = {}
    for record in records:
        by_step.setdefault(record.step, []).append(record)
    steps = doc.add_table(rows=1, cols=5)
    steps.style = "Table Grid"
    for cell, text in zip(steps.rows[0].cells, ("序号", "步骤", "日期", "人员", "情况说明"), strict=True):
        cell.text = text
    for spec in rules.STEPS:
        if applicant.origin == Origin.ROSTER and spec.number not in rules.ROSTER_STEPS:
            continue
        done = by_step.get(spec.number) or [None]
        for record in done:
            cells = steps.add_row().cells
            cells[0].text = str(spec.number)
            cells[1].text = spec.label
            if record is None:
                continue
            cells[2].text = _day(record.done_on)
            cells[3].text = "、".join(f"{p.get_role_display()}{p.member.name}" for p in people.get(record.pk, []))
            note = [record.note] if record.note else []
            if record.in_favour is not None:
                note.append(
                    f"应到会有表决权{record.voting_members}人，实到{record.present_voting}人，赞成{record.in_favour}人"
                )
            if record.decision:
                decision = record.get_decision_display()
                if record.extend_months:
                    decision += f"{record.extend_months}个月"
                note.append(f"决定：{decision}")
            note += [flag["message"] for flag in record.flags]
            cells[4].text = "；".join(note)

    doc.add_heading("考察记录", level=1)
    if not reviews:
        doc.add_paragraph("（无）")
    for review in reviews:
        doc.add_paragraph(f"{_day(review.done_on)}　{review.get_kind_display()}：{review.content}")

    doc.add_heading("材料目录", level=1)
    if not documents:
        doc.add_paragraph("（无）")
    for number, document in enumerate(documents, start=1):
        doc.add_paragraph(f"{number}. {document.name}")

    buffer = io.BytesIO()
    doc.save(buffer)
    buffer.seek(0)
    return buffer

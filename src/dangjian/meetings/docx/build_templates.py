"""Build the .docx templates of the meeting exports (documents.py fills them with docxtpl).

Run after changing the layout, and commit the generated files (they are source):
    PYTHONPATH=src python -m dangjian.meetings.docx.build_templates

The layout is the customary 会议记录: the title, a table of 时间/地点/主持人/记录人/应到/实到/缺席及原因/主题, then
会议内容, 决议 and the 签到 list. The year's volume starts with a Word table of contents (a TOC field Word updates on
opening, settings.xml's updateFields) and a plain list of the meetings, readable before any update.
"""

from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

HERE = Path(__file__).resolve().parent
MEETING = HERE / "meeting_record.docx"
YEAR = HERE / "meeting_year.docx"
FIELDS = [
    ("时间", "time"),
    ("地点", "place"),
    ("主持人", "host"),
    ("记录人", "recorder"),
    ("应到", "expected"),
    ("实到", "present"),
    ("缺席及原因", "absent"),
    ("主题", "topic"),
]


def _base() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_height, section.page_width = Cm(29.7), Cm(21.0)
    section.left_margin = section.right_margin = Cm(2.6)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.5)
    for name in ("Normal", "Heading 1", "Heading 2", "Title"):
        style = doc.styles[name]
        style.font.name = "宋体"
        fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), "宋体")
    doc.styles["Normal"].font.size = Pt(12)
    return doc


def _title(doc: Document, text: str) -> None:
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = True
    run.font.size = Pt(22)


def build_meeting() -> None:
    doc = _base()
    _title(doc, "会议记录")
    doc.add_paragraph("{{ org }}").alignment = WD_ALIGN_PARAGRAPH.CENTER
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for label, key in FIELDS:
        cells = table.add_row().cells
        cells[0].text = label
        cells[0].width, cells[1].width = Cm(3.2), Cm(12.6)
        cells[1].text = "{{ " + key + " }}"
    doc.add_heading("会议内容", level=2)
    doc.add_paragraph("{%p for para in paragraphs %}")
    doc.add_paragraph("{{ para }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("决议", level=2)
    doc.add_paragraph("{%p for para in resolutions %}")
    doc.add_paragraph("{{ para }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("签到", level=2)
    sign = doc.add_table(rows=3, cols=3)
    sign.style = "Table Grid"
    header = sign.rows[0].cells
    header[0].text, header[1].text, header[2].text = "姓名", "出席情况", "签到"
    # docxtpl's row loop: the rows holding {%tr …%} are removed, the one between repeats per invitee.
    sign.rows[1].cells[0].text = "{%tr for a in attendances %}"
    row = sign.rows[2].cells
    row[0].text, row[1].text, row[2].text = "{{ a.name }}", "{{ a.presence }}", "{{ a.signed }}"
    sign.add_row().cells[0].text = "{%tr endfor %}"
    doc.add_paragraph()
    doc.add_paragraph("主持人签字：                    记录人签字：")
    doc.save(MEETING)


def _toc(paragraph) -> None:
    """A TOC field over headings 1–2 (Word fills it when it updates the fields on opening)."""
    run = paragraph.add_run()
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = 'TOC \\o "1-2" \\h \\z \\u'
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    text = OxmlElement("w:t")
    text.text = "（打开文件时更新目录；如未更新，请右键此处选择“更新域”）"
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    for element in (begin, instr, separate, text, end):
        run._r.append(element)


def _update_fields_on_open(doc: Document) -> None:
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def build_year() -> None:
    doc = _base()
    _title(doc, "{{ org }}")
    _title(doc, "{{ year }}年会议记录汇编")
    doc.add_paragraph("共 {{ meetings|length }} 次会议").alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_heading("目录", level=1)
    _toc(doc.add_paragraph())
    doc.add_paragraph("会议一览：")
    doc.add_paragraph("{%p for m in meetings %}")
    doc.add_paragraph("{{ m.number }}. {{ m.date }}　{{ m.topic }}（{{ m.kinds }}）")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{%p for m in meetings %}")
    heading = doc.add_heading("{{ m.number }}. {{ m.date }}　{{ m.topic }}", level=1)
    heading.paragraph_format.page_break_before = True
    for label, key in FIELDS:
        doc.add_paragraph(f"{label}：{{{{ m.{key} }}}}")
    doc.add_heading("会议内容", level=2)
    doc.add_paragraph("{%p for para in m.paragraphs %}")
    doc.add_paragraph("{{ para }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("决议", level=2)
    doc.add_paragraph("{%p for para in m.resolutions %}")
    doc.add_paragraph("{{ para }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("签到", level=2)
    doc.add_paragraph("{{ m.signin }}")
    doc.add_paragraph("{%p endfor %}")
    _update_fields_on_open(doc)
    doc.save(YEAR)


if __name__ == "__main__":
    build_meeting()
    build_year()
    print(f"written {MEETING.name}, {YEAR.name}")

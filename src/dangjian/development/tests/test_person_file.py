"""The person's file as .docx: opened with python-docx, its texts asserted (masked for a reader without the right)."""

import io

import docx
import pytest
from django.urls import reverse

from dangjian.development import person_file

from .dev_world import dev_world, new_applicant, walk

pytestmark = pytest.mark.django_db


@pytest.fixture
def d(world, clock):
    return dev_world(world)


def _open(client, applicant):
    response = client.get(reverse("development:person_file", args=[applicant.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    document = docx.Document(io.BytesIO(b"".join(response.streaming_content)))
    paragraphs = [p.text for p in document.paragraphs]
    cells = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return paragraphs, cells


def test_the_file_has_particulars_the_25_steps_reviews_and_documents(world, d, client_for):
    applicant = walk(world, d, new_applicant(world, 1), until=8)
    paragraphs, cells = _open(client_for(world.secretary_a), applicant)
    assert paragraphs[0] == person_file.TITLE == "发展党员工作档案"
    assert ["公民身份号码", applicant.id_number] in cells
    steps = [row for row in cells if row[0].isdigit()]
    assert [int(row[0]) for row in steps] == list(range(1, 26))
    sponsors = steps[7]
    assert sponsors[1] == "确定入党介绍人" and sponsors[2]
    assert sponsors[3].count("入党介绍人") == 2 and d.full[2].name in sponsors[3]
    assert steps[8][2] == ""  # not yet done
    assert "考察记录" in paragraphs and "材料目录" in paragraphs


def test_the_file_masks_the_id_number_without_the_right(world, d, client_for):
    applicant = new_applicant(world, 1)
    _paragraphs, cells = _open(client_for(world.committee_member_a), applicant)
    row = next(row for row in cells if row[0] == "公民身份号码")
    assert row[1] != applicant.id_number and row[1].endswith(applicant.id_number[-4:])

"""Attachments: content checked against the name, size limited, stored privately, served only through the view."""

import io
import os
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.meetings.models import Attachment
from dangjian.meetings.parts import ALLOWED_TEXT, ERR_MISMATCH, ERR_SUFFIX, ERR_TOO_BIG, KIND_LABELS, check_attachment

from .parts_world import held_meeting, parts_of, png_bytes

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504


def docx_bytes(document=True) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        if document:
            archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client, meeting, name, data):
    url = reverse("meetings:attachment_upload", args=[meeting.pk])
    return client.post(url, {"file": SimpleUploadedFile(name, data)})


@pytest.mark.parametrize(
    "name,data,content_type",
    [
        ("照片.jpg", b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
        ("照片.PNG", png_bytes(), "image/png"),
        ("材料.pdf", PDF, "application/pdf"),
        ("记录.docx", docx_bytes(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("记录.doc", OLE, "application/msword"),
    ],
)
def test_accepted_kinds(name, data, content_type):
    assert check_attachment(SimpleUploadedFile(name, data)) == (name, content_type)


@pytest.mark.parametrize(
    "name,data,actual",
    [
        ("材料.pdf", docx_bytes(), "docx"),  # a Word file named .pdf
        ("材料.pdf", docx_bytes(document=False), "zip"),  # a zip named .pdf
        ("记录.docx", docx_bytes(document=False), "zip"),  # a zip that is not a Word document
        ("照片.jpg", png_bytes(), "png"),
        ("记录.doc", PDF, "pdf"),
        ("照片.png", b"MZ\x90\0 an executable", "other"),
    ],
)
def test_content_must_match_the_name(name, data, actual, world, client_for):
    meeting = held_meeting(world, world.branch_a)
    response = upload(client_for(world.secretary_a), meeting, name, data)
    assert response.status_code == 400
    suffix = Path(name).suffix.lower()
    assert ERR_MISMATCH.format(suffix=suffix, actual=KIND_LABELS[actual]) in response.content.decode()
    assert "文件内容与扩展名不符" in response.content.decode()
    assert not Attachment.objects.unrestricted().exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.*"))  # nothing written


def test_other_suffixes_are_refused(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    response = upload(client_for(world.secretary_a), meeting, "脚本.html", b"<script>")
    assert ERR_SUFFIX.format(suffix=".html", allowed=ALLOWED_TEXT) in response.content.decode()
    assert not Attachment.objects.unrestricted().exists()


def test_oversize_is_refused_and_nothing_written(world, client_for, settings):
    settings.MEETING_ATTACHMENT_MAX_MB = 1
    meeting = held_meeting(world, world.branch_a)
    data = PDF + b"0" * (1024 * 1024)
    response = upload(client_for(world.secretary_a), meeting, "材料.pdf", data)
    assert response.status_code == 400
    assert ERR_TOO_BIG.format(size="1.0 MB", limit="1.0 MB") in response.content.decode()
    assert not Attachment.objects.unrestricted().exists()
    assert not list(Path(settings.MEDIA_ROOT).rglob("*.pdf"))


def test_upload_stores_privately_and_download_gives_the_name_back(world, client_for):
    meeting = held_meeting(world, world.branch_a)
    client = client_for(world.secretary_a)
    response = upload(client, meeting, "现场照片.png", png_bytes())
    assert response.status_code == 302
    attachment = Attachment.objects.unrestricted().get()
    assert (attachment.name, attachment.content_type, attachment.uploaded_by) == (
        "现场照片.png",
        "image/png",
        world.secretary_a,
    )
    path = Path(attachment.file.path)
    assert path.is_relative_to(Path(settings.MEDIA_ROOT))
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert client.get(f"/{attachment.file.name}").status_code == 404  # no public URL serves MEDIA_ROOT
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    # An invitee without a grant sees the meeting, so its files.
    response = client_for(world.member_user_a).get(reverse("meetings:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == png_bytes()
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''%E7%8E%B0%E5%9C%BA%E7%85%A7%E7%89%87.png" in response["Content-Disposition"]


def test_download_and_delete_outside_the_scope_are_404(world, client_for):
    attachment = parts_of(world, "a")["attachment"]
    client = client_for(world.secretary_b)
    assert client.get(reverse("meetings:attachment_download", args=[attachment.pk])).status_code == 404
    assert client.post(reverse("meetings:attachment_delete", args=[attachment.pk])).status_code == 404
    assert Attachment.objects.unrestricted().filter(pk=attachment.pk).exists()
    # The inspector sees it but changes nothing.
    inspector = client_for(world.inspector)
    assert inspector.post(reverse("meetings:attachment_delete", args=[attachment.pk])).status_code == 404


def test_delete_removes_the_row_and_the_file(world, client_for, django_capture_on_commit_callbacks):
    attachment = parts_of(world, "a")["attachment"]
    path = Path(attachment.file.path)
    assert path.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.secretary_a).post(reverse("meetings:attachment_delete", args=[attachment.pk]))
    assert response.status_code == 302
    assert not Attachment.objects.unrestricted().filter(pk=attachment.pk).exists()
    assert not path.exists()


def test_detail_sections_list_the_files_with_links_the_user_may_follow(world, client_for):
    attachment = parts_of(world, "a")["attachment"]
    meeting = attachment.meeting
    page = client_for(world.member_user_a).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert "现场照片.png" in page
    assert reverse("meetings:attachment_download", args=[attachment.pk]) in page
    assert reverse("meetings:attachment_upload", args=[meeting.pk]) not in page  # a member cannot upload
    page = client_for(world.secretary_a).get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert reverse("meetings:attachment_upload", args=[meeting.pk]) in page

"""Uploaded materials of a development record (or one of its steps) and of a 处置 case: checked by their content
like a meeting's attachments (meetings.parts.check_attachment: size, suffix, first bytes), stored privately under
MEDIA_ROOT, served only through a view that checks the record or case is visible."""

import os

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from dangjian.core.roles import Capability
from dangjian.meetings.parts import check_attachment

from .models import Applicant, Document, ExitCase, StepRecord

ERR_OUT_OF_SCOPE = "您无权为该档案上传材料"


@transaction.atomic
def add_document(
    *,
    by,
    file: UploadedFile,
    applicant: Applicant | None = None,
    record: StepRecord | None = None,
    case: ExitCase | None = None,
) -> Document:
    """Store one file of a record (optionally of one of its steps) or of a case, after its size and content are
    checked (ValidationError keyed "file" otherwise)."""
    owner = case or applicant
    if owner is None or (record is not None and record.applicant_id != getattr(applicant, "pk", None)):
        raise ValueError("a document belongs to a record (and maybe one of its steps) or to a case")
    if not by.can(Capability.CHANGE, owner.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    name, content_type = check_attachment(file)
    document = Document(
        org=owner.org,
        applicant=applicant,
        record=record,
        case=case,
        name=name,
        size=file.size,
        content_type=content_type,
        uploaded_by=by,
    )
    # The stored name is ours (the suffix only): the user's name is kept in `name` and given back on download.
    document.file.save(f"d{os.path.splitext(name)[1].lower()}", file, save=False)
    try:
        document.full_clean()
        document.save()
    except Exception:
        document.file.delete(save=False)
        raise
    return document


@transaction.atomic
def delete_document(*, by, document: Document) -> None:
    if not by.can(Capability.CHANGE, document.org.path):
        raise PermissionDenied(ERR_OUT_OF_SCOPE)
    stored, storage = document.file.name, document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(stored) if stored else None)


def document_for_download(*, fetched_by, pk: int) -> Document:
    """The document, if `fetched_by` sees its branch; DoesNotExist otherwise."""
    return Document.objects.visible_to(fetched_by).get(pk=pk)

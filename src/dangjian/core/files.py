"""Retention of the jobs' files: uploaded rosters and generated exports hold full ID numbers, so they are kept only
JOB_FILE_RETENTION_DAYS (7) after their job finished, then deleted by the periodic task `core.tasks.purge_job_files`.

The Job row stays (who exported or imported what, when, how many rows); its file fields are cleared, the preview
rows of an import report (names and ID numbers) dropped, and the job page says the files were deleted. Files under
the jobs' folders that no Job names (an upload whose row never committed, a row deleted with its user) go once
they are as old as the retention period.
"""

import logging
import os
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db.models import Q
from django.utils import timezone

from .models import Job

log = logging.getLogger(__name__)

MSG_FILES_DELETED = "文件已按保留期限（{days} 天）删除"
#: The folders of Job.input_file and Job.output_file (their upload_to), relative to MEDIA_ROOT.
JOB_FILE_DIRS = ("jobs/in", "jobs/out")


@dataclass(frozen=True)
class Purged:
    jobs: int
    files: int
    orphans: int


def job_files_purge() -> Purged:
    """Delete the files of jobs finished more than JOB_FILE_RETENTION_DAYS ago, and old files no job names."""
    days = settings.JOB_FILE_RETENTION_DAYS
    now = timezone.now()
    cutoff = now - timedelta(days=days)
    expired = list(Job.objects.filter(finished_at__lt=cutoff).exclude(input_file="", output_file=""))
    names = {name for job in expired for name in (job.input_file.name, job.output_file.name) if name}
    # A confirmed import shares its preview's upload: a file still named by a job within the period stays.
    in_use = set()
    for pair in (
        Job.objects.exclude(finished_at__lt=cutoff)
        .filter(Q(input_file__in=names) | Q(output_file__in=names))
        .values_list("input_file", "output_file")
    ):
        in_use.update(pair)
    files = 0
    for name in sorted(names - in_use):
        if default_storage.exists(name):
            default_storage.delete(name)
            files += 1
    note = MSG_FILES_DELETED.format(days=days)
    for job in expired:
        for field in (job.input_file, job.output_file):
            if field.name not in in_use:
                field.name = ""
        if not (job.input_file or job.output_file):
            result = dict(job.result) if isinstance(job.result, dict) else {}
            result.pop("preview", None)  # the first rows of an import file, as read: names and ID numbers
            result.update(files_deleted=note, files_deleted_at=now.isoformat())
            job.result = result
        job.save(update_fields=["input_file", "output_file", "result", "updated_at"])
    orphans = _orphans_purge(cutoff.timestamp())
    if expired or orphans:
        log.info("job files purged: %s jobs, %s files, %s orphans", len(expired), files, orphans)
    return Purged(jobs=len(expired), files=files, orphans=orphans)


def _orphans_purge(cutoff: float) -> int:
    """Files under the jobs' folders that no Job names, last written before the cutoff."""
    root = Path(settings.MEDIA_ROOT)
    named = set()
    for pair in Job.objects.exclude(input_file="", output_file="").values_list("input_file", "output_file"):
        named.update(pair)
    deleted = 0
    for folder in JOB_FILE_DIRS:
        for dirpath, _dirnames, filenames in os.walk(root / folder):
            for filename in filenames:
                path = Path(dirpath) / filename
                name = path.relative_to(root).as_posix()
                try:
                    if name not in named and path.stat().st_mtime < cutoff:
                        path.unlink()
                        deleted += 1
                except FileNotFoundError:  # deleted meanwhile
                    continue
    return deleted

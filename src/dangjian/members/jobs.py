"""The members app's background job handlers (core.extensions finds this module, as Django finds admin.py)."""

from dangjian.core.jobs import job_handler

from .exports import EXPORT_KIND, export_job
from .importer.jobs import IMPORT_KIND, import_job

job_handler(EXPORT_KIND)(export_job)
job_handler(IMPORT_KIND)(import_job)

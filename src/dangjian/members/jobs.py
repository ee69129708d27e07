"""The members app's background job handlers (core.extensions finds this module, as Django finds admin.py)."""

from dangjian.core.jobs import job_handler

from .exports import ERR_EXPORT_STOPPED, EXPORT_KIND, export_job
from .importer.jobs import ERR_IMPORT_STOPPED, IMPORT_KIND, import_job

job_handler(EXPORT_KIND, stopped_message=ERR_EXPORT_STOPPED)(export_job)
job_handler(IMPORT_KIND, stopped_message=ERR_IMPORT_STOPPED)(import_job)

"""Placeholder until its lane lands."""

from .views import applicant_list

funnel = applicant_list
due_list = applicant_list

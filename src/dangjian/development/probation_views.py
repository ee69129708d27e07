"""Placeholder until its lane lands."""

from .views import applicant_list

probation_list = applicant_list

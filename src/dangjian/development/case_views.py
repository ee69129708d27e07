"""Placeholder until its lane lands."""

from .views import applicant_list

case_list = applicant_list

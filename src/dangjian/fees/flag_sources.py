"""The fees module's flags on organisational life's flags page (meetings.flags.flag_source): members unpaid
rules.FLAG_UNPAID_MONTHS consecutive months without an approved exemption (fees.arrears), for people to review."""

from dangjian.meetings.flags import flag_source

from . import arrears

flag_source(arrears.KIND, arrears.LABEL, arrears.flags_for)

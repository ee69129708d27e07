"""Regulation numbers for members (DOMAIN.md §2, §5), each with its source. Data, not code."""

from django.conf import settings

#: 党章 第一条 / 发展细则 第九条: an applicant must be at least 18 years old.
MIN_JOIN_AGE = 18

#: 组织关系介绍信 validity: varies by province (3 or 6 months); configurable (settings.TRANSFER_LETTER_VALID_MONTHS from
#: the environment, 1..12, checked at start-up), default 3 months (DOMAIN.md §2). Counted per 民法典 (core.lib.periods).
TRANSFER_LETTER_VALID_MONTHS = settings.TRANSFER_LETTER_VALID_MONTHS

#: Letters out without a 回执 are reminded this many days before their last valid day (our choice; DOMAIN.md is silent).
TRANSFER_LETTER_REMIND_DAYS = 15

#: The letter's number: 组转字〔2026〕第0012号, counted per issuing committee and year.
TRANSFER_LETTER_FORMAT = "组转字〔{year}〕第{seq:04d}号"

#: 党章 第九条: 6 consecutive months without organisational life, 党费 or assigned work → regarded as 自行脱党.
LAPSE_MONTHS = 6

"""Regulation numbers for members (DOMAIN.md §2, §5), each with its source. Data, not code."""

#: 党章 第一条 / 发展细则 第九条: an applicant must be at least 18 years old.
MIN_JOIN_AGE = 18

#: 组织关系介绍信 validity: varies by province (3 or 6 months); configurable, default 3 months (DOMAIN.md §2).
TRANSFER_LETTER_VALID_MONTHS = 3

#: 党章 第九条: 6 consecutive months without organisational life, 党费 or assigned work → regarded as 自行脱党.
LAPSE_MONTHS = 6

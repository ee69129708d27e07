"""/api/v1/meetings: the meetings' API, scoped like every other, calling the same selectors as the pages."""

from ninja import Router

router = Router(tags=["组织生活"])

# meetings: list, create, detail, attendance, sign-in

# compliance: /api/v1/meetings/compliance?org=&period=

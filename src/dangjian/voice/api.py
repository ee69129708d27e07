"""/api/v1/voice: proposals, commitments, 首问 requests, survey answers — the same selectors and services as the
pages, scoped the same way."""

from ninja import Router

router = Router(tags=["党员之声"])

# ── proposals

# ── commitments

# ── inquiries

# ── surveys

# ── consultations

from django.apps import AppConfig


class VoiceConfig(AppConfig):
    name = "dangjian.voice"
    label = "voice"
    verbose_name = "党员之声"
    url_prefix = "voice/"  # its pages (urls.py) and, at /api/v1/voice, its API (api.py)

    def ready(self) -> None:
        from dangjian.core.audit import audit_register

        from . import models

        # Not Response, Answer nor Participation: an audit entry would tie an anonymous answer to its author
        # (who, when); a survey's answers are kept by the survey's own pages.
        for model in (
            models.Proposal,
            models.ProposalFile,
            models.Commitment,
            models.Fulfilment,
            models.ServicePromise,
            models.Inquiry,
            models.HandOff,
            models.Survey,
            models.Question,
            models.Consultation,
            models.Opinion,
            models.Problem,
        ):
            audit_register(model)

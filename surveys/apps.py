from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        # The kinds of message this app sends, so any worker can build them.
        # (The lead digest's builder is evaluation's: see evaluation.digest.)
        from surveys import invitations, pulse

        invitations.register()
        pulse.register()

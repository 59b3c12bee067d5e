from __future__ import annotations

from django.apps import AppConfig


class SurveysConfig(AppConfig):
    name = "surveys"

    def ready(self) -> None:
        # The kinds of message this app sends, so any worker can build them.
        from surveys import digests, invitations, pulse

        digests.register()
        invitations.register()
        pulse.register()

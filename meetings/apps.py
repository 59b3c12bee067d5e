from __future__ import annotations

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        # The kinds of message this app sends, so any worker can build them.
        from meetings import commitment, notices, nudges, reminders, series_notices

        commitment.register()
        series_notices.register()
        notices.register()
        nudges.register()
        reminders.register()

from __future__ import annotations

from django.apps import AppConfig


class MeetingsConfig(AppConfig):
    name = "meetings"

    def ready(self) -> None:
        # The kinds of message this app sends, so any worker can build them.
        from meetings import notices, nudges, reminders

        notices.register()
        nudges.register()
        reminders.register()

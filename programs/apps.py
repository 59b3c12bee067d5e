from __future__ import annotations

from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "programs"

    def ready(self) -> None:
        # The kinds of message this app sends, so any worker can build them.
        from programs import invitations, topic_menu

        invitations.register()
        topic_menu.register()

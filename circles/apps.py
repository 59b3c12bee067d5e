from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CirclesConfig(AppConfig):
    name = "circles"
    verbose_name = _("Circles")

    def ready(self) -> None:
        # The kinds of message this app sends (so any worker can build them), and its sessions in
        # each member's personal calendar feed (meetings owns the feed and may not import circles).
        from circles import feed, messages

        messages.register()
        feed.register()

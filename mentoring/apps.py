from __future__ import annotations

from django.apps import AppConfig


class MentoringConfig(AppConfig):
    """Shared infrastructure: health, the worker heartbeat and the demo organisation."""

    name = "mentoring"
    verbose_name = "Flipside"

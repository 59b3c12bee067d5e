from __future__ import annotations

from django.db import migrations


class Migration(migrations.Migration):
    """The app's first migration holds nothing, so the outbox and the chat settings can each build on it."""

    initial = True
    dependencies: list = []
    operations: list = []

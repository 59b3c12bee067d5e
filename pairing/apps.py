from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = _("Pairing")

    def ready(self) -> None:
        from programs.lifecycle import register_step_check

        register_step_check("running", _pairs_published)

        # The kinds of message this app sends, so any worker can build them.
        from pairing import emails

        emails.register()


def _pairs_published(program) -> str | None:
    """A program starts running once HR has published its pairs."""
    from pairing.models import Pair

    if not Pair.objects.filter(program=program, published_at__isnull=False).exists():
        return str(_("Run matching and publish the pairs"))
    return None

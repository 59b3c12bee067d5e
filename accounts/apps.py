from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


def _ensure_groups(sender, **kwargs) -> None:
    from accounts.services import hr_group_ensure

    hr_group_ensure()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Permissions exist only after migrate; the role group is created right after them.
        post_migrate.connect(_ensure_groups, sender=self, dispatch_uid="accounts-groups")
        from accounts import signals  # noqa: F401 - connects the audit receivers

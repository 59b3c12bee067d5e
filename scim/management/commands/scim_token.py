"""``manage.py scim_token create NAME`` (token alone on the last line), ``list``, ``revoke NAME``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from scim.models import ScimToken
from scim.services import scim_token_create, scim_token_revoke


class Command(BaseCommand):
    help = "Create, list or revoke the bearer tokens identity providers use for SCIM provisioning."

    def add_arguments(self, parser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token; it is printed once, on the last line.")
        create.add_argument("name")
        sub.add_parser("list", help="List tokens (never their secrets).")
        revoke = sub.add_parser("revoke", help="Revoke a token by name.")
        revoke.add_argument("name")

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "create":
            try:
                token, secret = scim_token_create(name=options["name"])
            except ValueError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Created SCIM token “{token.name}”. Copy it now; it is not shown again:")
            self.stdout.write(secret)
        elif action == "list":
            for token in ScimToken.objects.all():
                state = f"revoked {token.revoked_at:%Y-%m-%d}" if token.revoked_at else "active"
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.name}\t{token.prefix}…\t{state}\tlast used {used}")
        else:
            token = ScimToken.objects.filter(name=options["name"]).first()
            if token is None:
                raise CommandError(f"No token named “{options['name']}”.")
            scim_token_revoke(token=token)
            self.stdout.write(f"Revoked “{token.name}”.")

"""`manage.py api_token create --user EMAIL [--read-only] [--expires-days N]`: prints the token last."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from api.tokens import api_token_create


class Command(BaseCommand):
    help = "Make a personal API token for a person (printed once, alone on the last line)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Make a token.")
        create.add_argument("--user", required=True, help="The owner's e-mail address.")
        create.add_argument("--read-only", action="store_true", help="Reads only (default: read and write).")
        create.add_argument("--expires-days", type=int, default=None, help="Days until it expires.")
        create.add_argument("--name", default="Command line", help="What the token is for.")

    def handle(self, *args, **options):
        user = User.objects.filter(email__iexact=options["user"].strip(), is_active=True).first()
        if user is None:
            raise CommandError(f"No active user with the e-mail address {options['user']!r}.")
        try:
            token, secret = api_token_create(
                user=user,
                name=options["name"],
                read_only=options["read_only"],
                expires_days=options["expires_days"],
            )
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        access = "read-only" if token.read_only else "read-write"
        self.stdout.write(f"Made a {access} token for {user.email}; it is shown once:")
        self.stdout.write(secret)

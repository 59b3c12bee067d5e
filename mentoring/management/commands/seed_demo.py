from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from accounts.demo import DEMO_LOGINS, seed_people
from accounts.models import User
from circles.demo import seed_circles
from meetings.demo import seed_meetings
from pairing.demo import seed_pairing
from programs.demo import seed_programs
from surveys.demo import seed_surveys
from surveys.learning_demo import seed_learning


class Command(BaseCommand):
    help = "Create the demo organisation (idempotent). Refused when DEBUG is off."

    def add_arguments(self, parser) -> None:
        # The demo programs come from the shipped template, which has a German version: HR's texts
        # (topics, agreement, rules, surveys, training) are written once, in the language given here.
        parser.add_argument("--language", choices=[code for code, _name in settings.LANGUAGES],
                            default=settings.LANGUAGE_CODE,
                            help="the language of the demo programs' texts (default: %(default)s)")

    def handle(self, *args, **options) -> None:
        if not settings.DEBUG:
            raise CommandError("seed_demo only runs with DEBUG on: it creates accounts with a "
                               "published password.")
        with translation.override(options["language"]):
            self._seed()

    def _seed(self) -> None:
        people = seed_people()
        programs = seed_programs(people)
        pairing = seed_pairing(people, programs)
        seed_meetings(people, programs, pairing)
        seed_surveys(people, programs)
        seed_learning(people, programs)
        seed_circles(people, programs)
        self.stdout.write(self.style.SUCCESS(
            f"Demo organisation ready: {User.objects.count()} people."))
        self.stdout.write(f"Demo logins (password: {settings.DEMO_PASSWORD}):")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.email:<28} {login.role}")

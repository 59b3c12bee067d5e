"""The demo shows self-ratings at the start and end, re-volunteering, and a pulse trend with an alert."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.demo import DOMAIN
from accounts.models import User
from pairing.models import SkillRating
from programs.demo import RUNNING
from programs.models import Program
from surveys import pulse
from surveys.learning_demo import PAST
from surveys.models import ReturnIntent, SafetyPulse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Program.objects.get(name=RUNNING), Program.objects.get(name=PAST)


def test_the_demo_has_start_and_end_ratings_and_reverse_back_answers(seeded, client):
    _running, past = seeded
    ratings = SkillRating.objects.filter(enrollment__program=past)
    assert ratings.filter(phase="enrolment").count() == ratings.filter(phase="end").count() > 20
    assert ReturnIntent.objects.filter(program=past, again="yes", enrollment__role="mentee").count() >= 3
    lead = past.leads.get()
    client.force_login(lead)
    report = client.get(reverse("evaluation:dashboard", args=[past.pk])).context["report"]
    outcomes = next(s for s in report.sections if s.key == "outcomes")
    shown = {s.label: s.cell for s in outcomes.stats}
    assert shown["What senior mentees learned"].shown and shown["What junior mentors learned"].shown
    assert shown["Senior mentees who volunteer again"].shown


def test_the_demo_has_a_pulse_trend_an_alert_and_an_open_pulse_for_the_demo_mentor(seeded, client):
    running, _past = seeded
    pulses = SafetyPulse.objects.filter(program=running)
    assert pulses.filter(round=1, score__isnull=False).count() >= 5
    assert pulses.filter(alert="low").count() == 1
    mentor = User.objects.get(email=f"mentor@{DOMAIN}")
    assert pulse.open_pulses_of(mentor)
    # The job finds nothing more to send this week.
    assert pulse.safety_pulses_plan() == 0
    # Seeding again adds nothing.
    before = pulses.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert SafetyPulse.objects.filter(program=running).count() == before

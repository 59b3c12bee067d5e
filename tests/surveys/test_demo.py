from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.models import User
from pairing.models import Enrollment, SkillRating
from programs.demo import RUNNING
from programs.models import Program
from surveys.models import SurveyAnswer, SurveyInvitation, SurveyResponse

pytestmark = pytest.mark.django_db


@pytest.fixture
def seeded(settings):
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Program.objects.get(name=RUNNING)


def test_the_demo_has_sent_and_answered_surveys_and_skill_baselines_for_the_dashboards(seeded):
    invitations = SurveyInvitation.objects.filter(program=seeded)
    session = invitations.filter(kind="after_session")
    mid = invitations.filter(kind="mid_program")
    assert session.count() >= 20 and mid.count() >= 20
    assert not invitations.filter(sent_at__isnull=True).exists()
    answered = session.filter(answered_at__isnull=False).count()
    assert 0.7 <= answered / session.count() < 1
    assert session.filter(answered_at__isnull=True, expires_at__lt=timezone.now()).exists()  # closed
    assert 0.5 <= mid.filter(answered_at__isnull=False).count() / mid.count() <= 0.85
    ratings = list(
        SurveyAnswer.objects.filter(response__program=seeded, kind="rating").values_list("number", flat=True)
    )
    assert set(ratings) <= {3, 4, 5} and 3 in ratings and sum(ratings) / len(ratings) >= 4
    assert (
        SurveyResponse.objects.filter(program=seeded).count()
        == invitations.filter(answered_at__isnull=False).count()
    )

    # Every participant rated every topic at enrolment, so the end survey has a baseline.
    approved = Enrollment.objects.filter(program=seeded, status="approved")
    assert approved.exists()
    for enrollment in approved:
        assert (
            SkillRating.objects.filter(enrollment=enrollment, phase="enrolment").count()
            == seeded.program_topics.count()
        )
    # The demo mentor has a survey to answer in "My surveys".
    mentor = User.objects.get(email="mentor@flipside.example")
    assert SurveyInvitation.objects.filter(
        recipient=mentor, answered_at__isnull=True, sent_at__isnull=False, kind="mid_program"
    ).exists()


def test_the_demo_sent_the_mid_program_survey_on_the_midpoint_as_the_job_does(seeded):
    from surveys.services import program_surveys_tick

    midpoint = seeded.starts_on + (seeded.ends_on - seeded.starts_on) / 2
    mid = SurveyInvitation.objects.filter(program=seeded, kind="mid_program")
    assert midpoint <= timezone.now().date() and mid.count() >= 20
    assert {(i.created_at.astimezone(dt.UTC).date(), i.sent_at.astimezone(dt.UTC).date()) for i in mid} == {
        (midpoint, midpoint)}

    # The job finds every participant invited already: nothing to add, nothing sent twice.
    outcome = program_surveys_tick()
    assert (outcome.created, outcome.sent) == (0, 0)
    assert SurveyInvitation.objects.filter(program=seeded, kind="mid_program").count() == mid.count()


def test_seeding_twice_adds_no_surveys(seeded):
    before = (SurveyInvitation.objects.count(), SurveyResponse.objects.count(), SkillRating.objects.count())

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert (
        SurveyInvitation.objects.count(),
        SurveyResponse.objects.count(),
        SkillRating.objects.count(),
    ) == before

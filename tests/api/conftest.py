"""A small world for the API: two programs, a pair with a logged session, tokens per persona."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone

from api.tokens import api_token_create
from tests.factories import (
    ActivePairFactory,
    EnrollmentFactory,
    MeetingFactory,
    PairFactory,
    ProgramFactory,
    PublishedAgreementFactory,
    UserFactory,
)

MARKER = "PRIVATE-REFLECTION-MARKER-7f3a"
PERSONAS = ["hr", "lead", "mentor", "mentee", "outsider", "anonymous", "read_only_hr"]


@pytest.fixture
def world(db, hr_admin, lead, mentor, mentee, outsider):
    from meetings.models import PrivateReflection, SessionLog
    from pairing.models import MatchRun
    from programs.models import Goal, SurveyQuestion

    today = timezone.localdate()
    program = ProgramFactory(leads=[lead], status="running", starts_on=today - dt.timedelta(days=30),
                             ends_on=today + dt.timedelta(days=90), leads_can_read_summaries=True)
    other = ProgramFactory(leads=[UserFactory(email="other.lead@example.com")], status="running")
    PublishedAgreementFactory(program=program)
    pair = ActivePairFactory(program=program, mentor__user=mentor, mentee__user=mentee)
    ActivePairFactory(program=other)
    draft = PairFactory(program=program)  # a proposed pair HR has not published yet
    applied = EnrollmentFactory(program=program, role="mentee", status="applied",
                                user=UserFactory(email="applicant@example.com", level=11))
    held_at = timezone.now() - dt.timedelta(days=3)
    held = MeetingFactory(pair=pair, status="held", starts_at=held_at,
                          ends_at=held_at + dt.timedelta(minutes=45))
    log = SessionLog.objects.create(meeting=held, shared_summary="We covered cloud basics.")
    PrivateReflection.objects.create(log=log, author=mentee, text=f"My own thoughts {MARKER}")
    PrivateReflection.objects.create(log=log, author=mentor, text=f"Mentor's thoughts {MARKER}")
    Goal.objects.create(program=program, title="Meet often", kind="qualitative")
    SurveyQuestion.objects.create(program=program, survey="after_session", kind="rating", text="How was it?")
    run = MatchRun.objects.create(program=program, status="done", progress=100)
    users = {"hr": hr_admin, "lead": lead, "mentor": mentor, "mentee": mentee, "outsider": outsider,
             "read_only_hr": hr_admin}
    tokens = {}
    for persona, user in users.items():
        tokens[persona] = api_token_create(user=user, name=persona, read_only=persona == "read_only_hr")[1]
    return {"program": program, "other": other, "pair": pair, "draft": draft, "applied": applied,
            "held": held, "run": run, "tokens": tokens, "users": users}


def call(world, persona: str, method: str, path: str, data=None, rollback: bool = True, **headers):
    """One API request as a persona (inside a rolled-back savepoint unless told otherwise)."""
    client = Client()
    if persona != "anonymous":
        headers["HTTP_AUTHORIZATION"] = f"Bearer {world['tokens'][persona]}"
    with transaction.atomic():
        if method == "GET":
            response = client.get(path, data or {}, **headers)
        else:
            response = client.generic(method, path, data if isinstance(data, str | bytes) else
                                      __import__("json").dumps(data or {}), content_type="application/json",
                                      **headers)
        if rollback:
            transaction.set_rollback(True)
    return response


@pytest.fixture
def api_call(world):
    def _call(persona, method, path, data=None, **kw):
        return call(world, persona, method, path, data, **kw)

    return _call

"""Fixtures for the programs tests: signed-in clients and programs built from the template."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from programs import services
from programs.models import Program


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """These tests create many people; real password hashing would only make them slow."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def hr_client(client, hr_admin):
    client.force_login(hr_admin)
    return client


@pytest.fixture
def outsider_client(client, outsider):
    client.force_login(outsider)
    return client


@pytest.fixture
def draft(hr_admin) -> Program:
    """A fresh program from the reverse mentoring template (agreement still a draft, no dates)."""
    return services.program_create_from_template(name="Reverse mentoring 2027", actor=hr_admin)


@pytest.fixture
def ready(hr_admin, lead) -> Program:
    """A draft program with nothing missing before enrolment opens."""
    today = timezone.localdate()
    program = services.program_create_from_template(
        name="Ready to open", actor=hr_admin, enrolment_opens=today,
        enrolment_closes=today + dt.timedelta(days=14),
        starts_on=today + dt.timedelta(days=30))
    services.program_lead_add(program=program, actor=hr_admin, user=lead)
    services.agreement_publish(program=program, actor=hr_admin)
    return program


def set_status(program: Program, status: str) -> Program:
    """Jump a program to a status for a test (the lifecycle itself is tested step by step)."""
    Program.objects.filter(pk=program.pk).update(status=status)
    program.refresh_from_db()
    return program


def enroll(program: Program, user, role: str = "mentee"):
    """An enrolment through the pairing app's model (programs only knows its related name)."""
    from pairing import models as pairing_models  # tests may cross the layers; the app may not
    agreement = program.current_agreement()
    if agreement is None:
        services.agreement_publish(program=program, actor=None)
        agreement = program.current_agreement()
    return pairing_models.Enrollment.objects.create(
        program=program, user=user, role=role, agreement_version=agreement,
        agreement_accepted_at=timezone.now(), learn_goals="Learn", teach_goals="Teach")

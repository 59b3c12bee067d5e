"""Programs ready for enrolment and matching, built with factories (no programs UI needed)."""

from __future__ import annotations

import pytest

from pairing.models import Enrollment, TrainingCompletion
from programs.models import Program, Resource
from tests.factories import (
    EnrollmentFactory,
    ProgramTopicFactory,
    PublishedAgreementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Factories create many users here; the production hasher takes ~0.5 s per password."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def topics(db) -> dict[str, list]:
    return {
        "junior_teaches": [TopicFactory(name="Cloud services"), TopicFactory(name="Generative AI")],
        "senior_teaches": [TopicFactory(name="Industry knowledge"), TopicFactory(name="Leadership")],
    }


@pytest.fixture
def enrolling_program(program, topics) -> Program:
    """Enrolling, with a published agreement, topics in both directions and required training."""
    PublishedAgreementFactory(program=program)
    for direction, items in topics.items():
        for topic in items:
            ProgramTopicFactory(program=program, topic=topic, direction=direction)
    ResourceFactory(program=program, title="How reverse mentoring works", audience=Resource.Audience.BOTH)
    ResourceFactory(
        program=program,
        title="Mentoring a senior colleague",
        audience=Resource.Audience.MENTORS,
        required_before_matching=False,
    )
    Program.objects.filter(pk=program.pk).update(status=Program.Status.ENROLLING)
    program.refresh_from_db()
    return program


@pytest.fixture
def matching_program(enrolling_program) -> Program:
    Program.objects.filter(pk=enrolling_program.pk).update(status=Program.Status.MATCHING)
    enrolling_program.refresh_from_db()
    return enrolling_program


def enrol(
    program: Program,
    user=None,
    *,
    role: str = "mentor",
    status: str = "approved",
    trained: bool = True,
    **user_fields,
) -> Enrollment:
    """An enrolment (approved by default) with the required training done."""
    if user is None:
        defaults = (
            {"level": 3, "department": "Engineering"}
            if role == "mentor"
            else {"level": 10, "department": "Sales"}
        )
        user = UserFactory(**{**defaults, **user_fields})
    enrollment = EnrollmentFactory(program=program, user=user, role=role, status=status)
    if trained:
        for resource in Resource.objects.filter(program=program, required_before_matching=True):
            TrainingCompletion.objects.create(enrollment=enrollment, resource=resource)
    return enrollment

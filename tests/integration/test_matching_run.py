"""A matching run end to end: the web side queues it, a real worker runs it through Redis."""

from __future__ import annotations

import pytest

from pairing import match_runs
from pairing.models import Enrollment, MatchRun, Pair, TrainingCompletion
from programs.models import Program, Resource
from tests.factories import (
    EnrollmentFactory,
    ProgramFactory,
    ProgramTopicFactory,
    PublishedAgreementFactory,
    ResourceFactory,
    TopicFactory,
    UserFactory,
)
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def _program_with_participants() -> tuple[Program, list[Enrollment], list[Enrollment]]:
    program = ProgramFactory(status=Program.Status.MATCHING)
    PublishedAgreementFactory(program=program)
    ProgramTopicFactory(
        program=program, topic=TopicFactory(name="Cloud services"), direction="junior_teaches"
    )
    ProgramTopicFactory(
        program=program, topic=TopicFactory(name="Industry knowledge"), direction="senior_teaches"
    )
    training = ResourceFactory(program=program, audience=Resource.Audience.BOTH)
    boss = UserFactory(full_name="Big Boss", level=12, department="Sales")
    mentors = [
        EnrollmentFactory(
            program=program, role="mentor", user=UserFactory(level=3, department="Engineering", manager=boss)
        )
        for _ in range(3)
    ]
    mentees = [
        EnrollmentFactory(program=program, role="mentee", user=UserFactory(level=10, department="Sales"))
        for _ in range(2)
    ]
    mentees.append(EnrollmentFactory(program=program, role="mentee", user=boss))  # everyone reports to him
    for enrollment in (*mentors, *mentees):
        TrainingCompletion.objects.create(enrollment=enrollment, resource=training)
    return program, mentors, mentees


def test_a_real_worker_runs_a_matching_run_sent_through_redis(start_worker, hr_admin):
    program, mentors, mentees = _program_with_participants()
    start_worker()

    run = match_runs.match_run_start(program=program, by=hr_admin)  # enqueued when its transaction commits

    finished = wait_for(
        lambda: MatchRun.objects.filter(pk=run.pk, status__in=["done", "failed"]).first(), timeout=60
    )
    assert finished.status == MatchRun.Status.DONE, finished.error
    assert finished.progress == 100 and finished.finished_at is not None
    assert finished.matched == 2
    pairs = list(Pair.objects.filter(program=program))
    assert len(pairs) == 2
    assert all(p.status == "proposed" and p.published_at is None and p.match_run_id == run.pk for p in pairs)
    assert {p.mentee_id for p in pairs} == {mentees[0].pk, mentees[1].pk}
    boss_row = next(row for row in finished.unmatched if row["enrollment_id"] == mentees[2].pk)
    assert boss_row["reason"] == "no eligible mentor (reporting line)"

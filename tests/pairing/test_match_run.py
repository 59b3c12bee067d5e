from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone

from pairing import match_runs
from pairing.models import MatchRun, Pair, PairExclusion
from programs.models import Program
from tests.factories import PairFactory, UserFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def _run(program, by) -> MatchRun:
    run = MatchRun.objects.create(program=program, started_by=by)
    return match_runs.match_run_execute(run_id=run.pk)


def test_hr_starts_a_run_and_the_task_is_queued_after_commit(
    client, hr_admin, matching_program, django_capture_on_commit_callbacks
):
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("pairing:hr_run_start", args=[matching_program.pk]))

    run = MatchRun.objects.get(program=matching_program)
    assert response.status_code == 302 and response["Location"] == reverse("pairing:hr_run", args=[run.pk])
    assert run.status == MatchRun.Status.QUEUED and run.started_by == hr_admin
    assert len(callbacks) == 1
    with mock.patch("pairing.tasks.run_matching.delay") as delay:
        callbacks[0]()
    delay.assert_called_once_with(run.pk)


def test_an_unreachable_queue_fails_the_run_with_a_clear_message(
    hr_admin, matching_program, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = match_runs.match_run_start(program=matching_program, by=hr_admin)
    with mock.patch("pairing.tasks.run_matching.delay", side_effect=ConnectionError("redis down")):
        callbacks[0]()

    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED
    assert "background queue could not be reached" in run.error


def test_a_second_run_is_refused_while_one_is_in_progress(client, hr_admin, matching_program):
    MatchRun.objects.create(program=matching_program, started_by=hr_admin, status=MatchRun.Status.RUNNING)
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_run_start", args=[matching_program.pk]), follow=True)

    assert "A matching run is already in progress" in response.content.decode()
    assert MatchRun.objects.count() == 1


def test_a_lost_run_does_not_block_a_new_one(hr_admin, matching_program, django_capture_on_commit_callbacks):
    MatchRun.objects.create(
        program=matching_program,
        status=MatchRun.Status.RUNNING,
        created_at=timezone.now() - dt.timedelta(hours=1),
    )

    with django_capture_on_commit_callbacks(execute=False):
        match_runs.match_run_start(program=matching_program, by=hr_admin)

    assert MatchRun.objects.count() == 2


def test_matching_is_refused_for_a_draft_program(client, hr_admin, program):
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_run_start", args=[program.pk]), follow=True)

    assert "Matching runs while a program is enrolling" in response.content.decode()
    assert not MatchRun.objects.exists()


def test_only_hr_may_start_a_run_and_get_is_not_allowed(client, hr_admin, mentor, matching_program):
    client.force_login(mentor)
    assert client.post(reverse("pairing:hr_run_start", args=[matching_program.pk])).status_code == 404
    client.force_login(hr_admin)
    assert client.get(reverse("pairing:hr_run_start", args=[matching_program.pk])).status_code == 405
    assert not MatchRun.objects.exists()


def test_a_run_proposes_draft_pairs_and_reports_who_was_left_out(hr_admin, matching_program):
    mentor = enrol(matching_program, role="mentor", full_name="Aisha Rahman")
    mentee = enrol(matching_program, role="mentee", full_name="Robert Whitfield")
    enrol(matching_program, role="mentee", trained=False, full_name="Una Trained")
    enrol(matching_program, role="mentee", full_name="Extra Mentee")

    run = _run(matching_program, hr_admin)

    assert run.status == MatchRun.Status.DONE and run.progress == 100 and run.finished_at
    assert run.matched == 1
    pair = Pair.objects.get(program=matching_program)
    assert (pair.mentor, pair.status, pair.published_at, pair.match_run) == (mentor, "proposed", None, run)
    assert pair.mentee in {mentee, Pair.objects.get().mentee}
    assert pair.explanation and not pair.explanation.startswith("Locked")
    reasons = {row["name"]: row["reason"] for row in run.unmatched}
    assert reasons["Una Trained"] == "training not finished"
    assert len(reasons) == 2


def test_a_run_with_nobody_on_one_side_says_so(hr_admin, matching_program):
    enrol(matching_program, role="mentee", full_name="Lonely Mentee")

    run = _run(matching_program, hr_admin)

    assert run.status == MatchRun.Status.DONE and run.matched == 0
    assert run.unmatched == [
        {
            "enrollment_id": mock.ANY,
            "name": "Lonely Mentee",
            "side": "mentee",
            "reason": "no mentors to match with",
        }
    ]


def test_rerunning_keeps_locked_pairs_and_replaces_the_others(hr_admin, matching_program):
    mentors = [enrol(matching_program, role="mentor") for _ in range(2)]
    mentees = [enrol(matching_program, role="mentee") for _ in range(2)]
    locked = PairFactory(program=matching_program, mentor=mentors[0], mentee=mentees[1], locked=True, score=0)
    stale = PairFactory(program=matching_program, mentor=mentors[1], mentee=mentees[0], score=0)

    run = _run(matching_program, hr_admin)

    pairs = {(p.mentor_id, p.mentee_id): p for p in Pair.objects.filter(program=matching_program)}
    assert set(pairs) == {(mentors[0].pk, mentees[1].pk), (mentors[1].pk, mentees[0].pk)}
    assert pairs[(mentors[0].pk, mentees[1].pk)].pk == locked.pk
    assert pairs[(mentors[0].pk, mentees[1].pk)].locked and pairs[(mentors[0].pk, mentees[1].pk)].score > 0
    assert not Pair.objects.filter(pk=stale.pk).exists()
    assert run.matched == 2


def test_a_run_never_proposes_a_pair_hr_ruled_out(hr_admin, matching_program):
    mentor = enrol(matching_program, role="mentor")
    mentee = enrol(matching_program, role="mentee")
    PairExclusion.objects.create(program=matching_program, mentor=mentor, mentee=mentee)

    run = _run(matching_program, hr_admin)

    assert not Pair.objects.exists()
    assert {row["reason"] for row in run.unmatched} == {
        "no eligible mentor (excluded by HR)",
        "no eligible mentee (excluded by HR)",
    }


def test_a_run_leaves_published_pairs_alone(hr_admin, matching_program):
    published = PairFactory(program=matching_program, published_at=timezone.now(), status="active")
    newcomer = enrol(matching_program, role="mentee")

    run = _run(matching_program, hr_admin)

    published.refresh_from_db()
    assert published.status == "active"
    assert not Pair.objects.filter(mentee=newcomer).exists()  # the only mentor is already taken
    assert run.status == MatchRun.Status.DONE


def test_a_manager_loop_fails_the_run_and_names_the_people(hr_admin, matching_program):
    enrol(matching_program, role="mentor")
    enrol(matching_program, role="mentee")
    a = UserFactory(full_name="Ann Loop")
    b = UserFactory(full_name="Bob Loop", manager=a)
    type(a).objects.filter(pk=a.pk).update(manager=b)

    run = _run(matching_program, hr_admin)

    assert run.status == MatchRun.Status.FAILED
    assert "The reporting lines contain a loop" in run.error
    assert "Ann Loop" in run.error and "Bob Loop" in run.error


def test_an_unexpected_error_fails_the_run_without_crashing_the_worker(hr_admin, matching_program):
    enrol(matching_program, role="mentor")
    enrol(matching_program, role="mentee")
    with mock.patch("pairing.matching.match", side_effect=RuntimeError("boom")):
        run = _run(matching_program, hr_admin)

    assert run.status == MatchRun.Status.FAILED
    assert "Something went wrong while matching" in run.error


def test_a_redelivered_task_for_a_finished_run_changes_nothing(hr_admin, matching_program):
    run = MatchRun.objects.create(program=matching_program, status=MatchRun.Status.DONE, progress=100)

    assert match_runs.match_run_execute(run_id=run.pk) is None
    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE


def test_the_task_calls_the_service(hr_admin, matching_program):
    from pairing.tasks import run_matching

    run = MatchRun.objects.create(program=matching_program)
    run_matching.run(run.pk)

    run.refresh_from_db()
    assert run.status == MatchRun.Status.DONE
    assert run_matching.acks_late is True
    assert run_matching.time_limit and run_matching.soft_time_limit


def test_the_run_page_polls_until_the_run_is_done(client, hr_admin, matching_program):
    run = MatchRun.objects.create(
        program=matching_program, status=MatchRun.Status.RUNNING, progress=50, stage="Finding the best pairs"
    )
    client.force_login(hr_admin)

    running = client.get(reverse("pairing:hr_run", args=[run.pk])).content.decode()
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.DONE, progress=100, matched=3)
    done = client.get(
        reverse("pairing:hr_run_progress", args=[run.pk]), HTTP_HX_REQUEST="true"
    ).content.decode()

    assert 'hx-trigger="every 1s"' in running and '<progress max="100" value="50">' in running
    assert "Finding the best pairs" in running and ">Refresh<" in running
    assert "hx-trigger" not in done
    assert "3 pairs proposed." in done and "Review the proposals" in done


def test_run_pages_are_hr_only(client, mentor, matching_program):
    run = MatchRun.objects.create(program=matching_program)
    client.force_login(mentor)

    assert client.get(reverse("pairing:hr_run", args=[run.pk])).status_code == 404
    assert client.get(reverse("pairing:hr_run_progress", args=[run.pk])).status_code == 404


def test_a_running_program_may_rematch(hr_admin, matching_program, django_capture_on_commit_callbacks):
    Program.objects.filter(pk=matching_program.pk).update(status=Program.Status.RUNNING)
    matching_program.refresh_from_db()

    with django_capture_on_commit_callbacks(execute=False):
        run = match_runs.match_run_start(program=matching_program, by=hr_admin)

    assert run.status == MatchRun.Status.QUEUED


def test_the_progress_partial_sends_a_plain_browser_to_the_full_page(client, hr_admin, matching_program):
    run = MatchRun.objects.create(program=matching_program)
    client.force_login(hr_admin)

    response = client.get(reverse("pairing:hr_run_progress", args=[run.pk]))

    assert response.status_code == 302 and response["Location"] == reverse("pairing:hr_run", args=[run.pk])


def test_the_engine_reports_its_stages_on_the_run_page(hr_admin, matching_program):
    running = MatchRun.Status.RUNNING
    run = MatchRun.objects.create(program=matching_program, started_by=hr_admin, status=running)
    report = match_runs._engine_progress(run)

    report("scoring", 6000, 12000)
    run.refresh_from_db()
    assert (run.progress, run.stage) == (57, "Scoring every possible pair")

    report("certifying", 1, 2)
    run.refresh_from_db()
    assert (run.progress, run.stage) == (77, "Checking that no other pairing is better")

"""Writes: what changes in the database, the audit trail, and the Idempotency-Key."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from accounts.models import AuditEvent
from api.core import encode_cursor
from pairing.models import Enrollment, MatchRun, Pair


def decide(api_call, world, decision, persona="hr", key=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return api_call(persona, "POST", f"/api/v1/enrolments/{world['applied'].pk}/decision/",
                    {"decision": decision}, rollback=False, **headers)


def test_hr_approves_an_enrolment_and_the_write_is_audited(world, api_call):
    response = decide(api_call, world, "approved")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    enrollment = Enrollment.objects.get(pk=world["applied"].pk)
    assert enrollment.status == "approved" and enrollment.decided_by == world["users"]["hr"]
    event = AuditEvent.objects.get(summary__startswith="API: approved enrolment")
    assert event.actor == world["users"]["hr"] and event.data["enrollment"] == enrollment.pk


def test_a_read_only_token_changes_nothing(world, api_call):
    response = decide(api_call, world, "approved", persona="read_only_hr")
    assert response.status_code == 403 and response.json()["type"].endswith("read-only-token")
    assert Enrollment.objects.get(pk=world["applied"].pk).status == "applied"


def test_the_same_key_and_body_replay_the_answer_without_writing_twice(world, api_call):
    first = decide(api_call, world, "declined", key="k-1")
    decided_at = Enrollment.objects.get(pk=world["applied"].pk).decided_at
    again = decide(api_call, world, "declined", key="k-1")
    assert first.status_code == again.status_code == 200 and first.json() == again.json()
    assert Enrollment.objects.get(pk=world["applied"].pk).decided_at == decided_at
    assert AuditEvent.objects.filter(summary__startswith="API: declined").count() == 1


def test_the_same_key_with_another_body_is_refused(world, api_call):
    decide(api_call, world, "declined", key="k-2")
    response = decide(api_call, world, "approved", key="k-2")
    assert response.status_code == 422 and response.json()["type"].endswith("idempotency-key-reused")
    assert Enrollment.objects.get(pk=world["applied"].pk).status == "declined"


def test_a_refused_decision_is_a_problem_and_saves_nothing(world, api_call):
    response = api_call("hr", "POST", f"/api/v1/enrolments/{world['pair'].mentee_id}/decision/",
                        {"decision": "approved"}, rollback=False)
    assert response.status_code == 422 and response.json()["errors"]
    assert Enrollment.objects.get(pk=world["pair"].mentee_id).status == "approved"


def test_a_matching_run_starts_and_its_progress_can_be_polled(world, api_call):
    response = api_call("hr", "POST", f"/api/v1/programs/{world['program'].pk}/match-runs/", rollback=False)
    assert response.status_code == 202
    run = MatchRun.objects.get(pk=response.json()["id"])
    assert run.program == world["program"] and run.started_by == world["users"]["hr"]
    polled = api_call("hr", "GET", f"/api/v1/match-runs/{run.pk}/").json()
    assert polled["id"] == run.pk and polled["status"] == run.status


def test_publishing_offers_the_proposed_pairs(world, api_call):
    response = api_call("hr", "POST", f"/api/v1/programs/{world['program'].pk}/publish/", rollback=False)
    assert response.json() == {"published": 1}
    assert Pair.objects.get(pk=world["draft"].pk).published_at is not None


def test_pages_follow_the_cursor_and_updated_since_sees_changes(world, api_call):
    hr = world["users"]["hr"]
    first = api_call("hr", "GET", "/api/v1/enrolments/", {"limit": 2}).json()
    rest = api_call("hr", "GET", "/api/v1/enrolments/", {"limit": 200, "cursor": first["next_cursor"]}).json()
    ids = [r["id"] for r in first["items"] + rest["items"]]
    assert ids == sorted(Enrollment.objects.values_list("pk", flat=True)) and rest["next_cursor"] is None
    later = timezone.now() + dt.timedelta(hours=1)
    before = api_call("hr", "GET", "/api/v1/enrolments/", {"updated_since": later.isoformat()}).json()
    assert before["items"] == []
    with time_machine.travel(later + dt.timedelta(minutes=1)):
        from pairing.services import enrollment_decide

        enrollment_decide(enrollment=world["applied"], decision="approved", by=hr)
    changed = api_call("hr", "GET", "/api/v1/enrolments/", {"updated_since": later.isoformat()}).json()
    assert [r["id"] for r in changed["items"]] == [world["applied"].pk]
    assert encode_cursor(5) != encode_cursor(6)

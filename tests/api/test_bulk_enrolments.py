"""Bulk enrolments: a program's enrolments from a list of employees, all or nothing."""

from __future__ import annotations

from accounts.models import AuditEvent
from pairing.models import Enrollment
from tests.factories import ProgramFactory, UserFactory


def put(api_call, world, rows, persona="hr", program=None, **headers):
    program = program or world["program"]
    return api_call(persona, "PUT", f"/api/v1/programs/{program.pk}/enrolments/", {"enrolments": rows},
                    rollback=False, **headers)


def test_hr_creates_and_updates_enrolments_and_the_write_is_audited(world, api_call):
    newcomer = UserFactory(email="newcomer@example.com", level=11)
    world["program"].mentor_capacity = 3
    world["program"].save(update_fields=["mentor_capacity"])
    response = put(api_call, world, [
        {"email": "newcomer@example.com", "role": "mentor", "capacity": 2},
        {"email": "applicant@example.com", "role": "mentee", "status": "waitlisted"},
        {"email": world["users"]["mentee"].email, "role": "mentee"},
    ])
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["outcome"] for r in results] == ["created", "updated", "unchanged"]
    created = Enrollment.objects.get(program=world["program"], user=newcomer)
    assert (created.pk, created.role, created.status, created.capacity) == (results[0]["enrolment_id"],
                                                                            "mentor", "approved", 2)
    assert created.decided_by == world["users"]["hr"]
    assert created.agreement_version == world["program"].current_agreement()
    assert Enrollment.objects.get(pk=world["applied"].pk).status == "waitlisted"
    event = AuditEvent.objects.get(summary__startswith="API: bulk enrolments")
    assert event.data["created"] == 1 and event.data["updated"] == 1 and event.data["unchanged"] == 1


def test_one_bad_row_among_good_ones_saves_nothing_and_names_that_row(world, api_call):
    UserFactory(email="newcomer@example.com")
    before = Enrollment.objects.count()
    response = put(api_call, world, [
        {"email": "newcomer@example.com", "role": "mentor"},
        {"email": "nobody@example.com", "role": "mentee"},
        {"email": "applicant@example.com", "role": "mentee", "status": "approved"},
        {"email": "newcomer@example.com", "role": "mentor"},
        {"email": world["users"]["mentor"].email, "role": "mentee"},
        {"email": world["users"]["lead"].email, "role": "boss", "capacity": 9},
    ])
    assert response.status_code == 422
    errors = {(e["row"], e["field"]) for e in response.json()["errors"]}
    assert errors == {(1, "email"), (3, "email"), (4, "role"), (5, "role"), (5, "capacity")}
    assert Enrollment.objects.count() == before
    assert Enrollment.objects.get(pk=world["applied"].pk).status == "applied"


def test_a_capacity_beyond_the_programs_limit_is_refused(world, api_call):
    UserFactory(email="newcomer@example.com")
    response = put(api_call, world, [{"email": "newcomer@example.com", "role": "mentor", "capacity": 5}])
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "capacity"
    assert not Enrollment.objects.filter(user__email="newcomer@example.com").exists()


def test_a_closed_program_takes_no_enrolments(world, api_call):
    closed = ProgramFactory(status="closed")
    response = put(api_call, world, [{"email": "applicant@example.com", "role": "mentee"}], program=closed)
    assert response.status_code == 422 and response.json()["errors"][0]["field"] == "program"
    assert not Enrollment.objects.filter(program=closed).exists()


def test_a_read_only_token_and_other_people_change_nothing(world, api_call):
    UserFactory(email="newcomer@example.com")
    for persona in ("read_only_hr", "lead", "mentor", "outsider"):
        rows = [{"email": "newcomer@example.com", "role": "mentee"}]
        response = put(api_call, world, rows, persona=persona)
        assert response.status_code == 403
    assert not Enrollment.objects.filter(user__email="newcomer@example.com").exists()


def test_the_same_key_replays_the_answer_without_writing_twice(world, api_call):
    UserFactory(email="newcomer@example.com")
    rows = [{"email": "newcomer@example.com", "role": "mentee"}]
    first = put(api_call, world, rows, HTTP_IDEMPOTENCY_KEY="bulk-1")
    Enrollment.objects.filter(user__email="newcomer@example.com").update(status="waitlisted")
    again = put(api_call, world, rows, HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert first.json() == again.json() and first.json()["results"][0]["outcome"] == "created"
    assert Enrollment.objects.get(user__email="newcomer@example.com").status == "waitlisted"

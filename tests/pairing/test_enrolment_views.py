from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Enrollment, Pair, SkillRating, TrainingCompletion
from programs.models import Program, Resource
from tests.factories import PairFactory, PublishedAgreementFactory, UserFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def _apply_data(program, **overrides) -> dict:
    data = {
        "role": "mentor",
        "agreement_version": program.current_agreement().pk,
        "accept_agreement": "on",
        "learn_goals": "How our market really works.",
        "teach_goals": "Practical generative AI.",
    }
    data.update(overrides)
    return data


def test_an_eligible_junior_applies_and_the_accepted_agreement_version_is_recorded(
    client, mentor, enrolling_program
):
    client.force_login(mentor)
    topic = enrolling_program.program_topics.select_related("topic").first()
    response = client.post(
        reverse("pairing:apply", args=[enrolling_program.pk]),
        _apply_data(enrolling_program, **{f"skill_{topic.pk}": "4"}),
    )

    enrollment = Enrollment.objects.get(program=enrolling_program, user=mentor)
    assert response.status_code == 302
    assert response["Location"] == reverse("pairing:enrollment", args=[enrollment.pk])
    assert enrollment.status == Enrollment.Status.APPLIED
    assert enrollment.role == Enrollment.Role.MENTOR
    assert enrollment.agreement_version == enrolling_program.current_agreement()
    assert abs((timezone.now() - enrollment.agreement_accepted_at).total_seconds()) < 60
    assert enrollment.capacity == enrolling_program.mentor_capacity
    rating = SkillRating.objects.get(enrollment=enrollment)
    assert (rating.topic_id, rating.direction, rating.phase, rating.score) == (
        topic.topic_id,
        topic.direction,
        SkillRating.Phase.ENROLMENT,
        4,
    )


def test_it_explains_why_someone_between_the_level_bands_cannot_apply(client, enrolling_program):
    person = UserFactory(level=5)
    client.force_login(person)
    url = reverse("pairing:apply", args=[enrolling_program.pk])

    page = client.get(url).content.decode()
    client.post(url, _apply_data(enrolling_program, role="mentee"))

    assert "Mentors in this program are at levels 1 to 4; HR has you at level 5." in page
    assert "Mentees in this program are at levels 6 to 12; HR has you at level 5." in page
    assert 'name="role"' not in page
    assert not Enrollment.objects.exists()


def test_it_asks_hr_to_add_a_missing_level(client, enrolling_program):
    person = UserFactory(level=None)
    client.force_login(person)

    page = client.get(reverse("pairing:apply", args=[enrolling_program.pk])).content.decode()

    assert "Your level is not on record; ask HR to add it." in page


def test_it_offers_only_the_role_the_person_is_eligible_for(client, mentor, enrolling_program):
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:apply", args=[enrolling_program.pk]), _apply_data(enrolling_program, role="mentee")
    )

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_it_refuses_to_apply_without_accepting_the_agreement(client, mentor, enrolling_program):
    client.force_login(mentor)
    data = _apply_data(enrolling_program)
    del data["accept_agreement"]

    response = client.post(reverse("pairing:apply", args=[enrolling_program.pk]), data)

    assert "Accept the agreement to apply." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_it_refuses_an_agreement_that_changed_while_the_person_was_reading(client, mentor, enrolling_program):
    client.force_login(mentor)
    old = enrolling_program.current_agreement()
    PublishedAgreementFactory(program=enrolling_program, version=2, text="New rules.")

    response = client.post(
        reverse("pairing:apply", args=[enrolling_program.pk]),
        _apply_data(enrolling_program, agreement_version=old.pk),
    )

    assert "The agreement was updated while you were reading it." in response.content.decode()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("status", [Program.Status.MATCHING, Program.Status.RUNNING, Program.Status.CLOSED])
def test_it_says_enrolment_is_not_open_outside_the_enrolling_step(client, mentor, enrolling_program, status):
    Program.objects.filter(pk=enrolling_program.pk).update(status=status)
    client.force_login(mentor)
    url = reverse("pairing:apply", args=[enrolling_program.pk])

    page = client.get(url).content.decode()
    client.post(url, _apply_data(enrolling_program))

    assert "Enrolment for this program is not open." in page
    assert not Enrollment.objects.exists()


def test_a_draft_program_is_not_found(client, mentor, program):
    client.force_login(mentor)

    assert client.get(reverse("pairing:apply", args=[program.pk])).status_code == 404


def test_it_refuses_a_second_application(client, mentor, enrolling_program):
    enrol(enrolling_program, mentor, status="applied")
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:apply", args=[enrolling_program.pk]), _apply_data(enrolling_program)
    )

    assert "You have already applied to this program (status: Applied)." in response.content.decode()
    assert Enrollment.objects.count() == 1


def test_someone_who_withdrew_before_being_paired_can_apply_again(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="withdrawn")
    client.force_login(mentor)

    client.post(reverse("pairing:apply", args=[enrolling_program.pk]), _apply_data(enrolling_program))

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED
    assert enrollment.decided_by is None


def test_anonymous_visitors_are_sent_to_sign_in(client, enrolling_program):
    response = client.get(reverse("pairing:apply", args=[enrolling_program.pk]))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_a_participant_marks_training_done_and_can_undo_it(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="applied", trained=False)
    resource = Resource.objects.get(program=enrolling_program, required_before_matching=True)
    client.force_login(mentor)
    url = reverse("pairing:training_done", args=[enrollment.pk, resource.pk])

    client.post(url, {"done": "1"})
    assert TrainingCompletion.objects.filter(enrollment=enrollment, resource=resource).exists()
    page = client.get(reverse("pairing:enrollment", args=[enrollment.pk])).content.decode()
    assert "How reverse mentoring works" in page and "Undo" in page

    client.post(url, {"done": "0"})
    assert not TrainingCompletion.objects.filter(enrollment=enrollment).exists()


def test_training_for_the_other_role_is_refused(client, mentee, enrolling_program):
    enrollment = enrol(enrolling_program, mentee, role="mentee", status="applied", trained=False)
    for_mentors = Resource.objects.get(program=enrolling_program, audience=Resource.Audience.MENTORS)
    client.force_login(mentee)

    client.post(reverse("pairing:training_done", args=[enrollment.pk, for_mentors.pk]), {"done": "1"})

    assert not TrainingCompletion.objects.exists()


def test_a_participant_updates_their_goals(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="applied")
    client.force_login(mentor)

    client.post(
        reverse("pairing:enrollment_goals", args=[enrollment.pk]),
        {"learn_goals": "Stakeholder management", "teach_goals": "Cloud costs"},
    )

    enrollment.refresh_from_db()
    assert (enrollment.learn_goals, enrollment.teach_goals) == ("Stakeholder management", "Cloud costs")


def test_empty_goals_are_refused_with_a_message(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="applied")
    client.force_login(mentor)

    response = client.post(
        reverse("pairing:enrollment_goals", args=[enrollment.pk]),
        {"learn_goals": "", "teach_goals": "Cloud costs"},
    )

    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.teach_goals == "Teach practical digital tools."


def test_a_participant_withdraws_before_being_paired(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="approved")
    draft = PairFactory(program=enrolling_program, mentor=enrollment)
    client.force_login(mentor)

    client.post(reverse("pairing:withdraw", args=[enrollment.pk]))

    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.WITHDRAWN
    assert not Pair.objects.filter(pk=draft.pk).exists()


def test_withdrawing_declines_a_pending_offer_and_tells_the_partner_without_blame(
    client, mentor, enrolling_program, django_capture_on_commit_callbacks
):
    enrollment = enrol(enrolling_program, mentor)
    offer = PairFactory(program=enrolling_program, mentor=enrollment, published_at=timezone.now())
    client.force_login(mentor)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("pairing:withdraw", args=[enrollment.pk]))

    offer.refresh_from_db()
    assert offer.status == Pair.Status.DECLINED
    assert [m.to for m in mail.outbox] == [[offer.mentee.user.email]]
    assert "won't go ahead" in mail.outbox[0].body
    assert mentor.display_name not in mail.outbox[0].body


def test_withdrawing_is_refused_once_the_pair_is_active(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor)
    PairFactory(
        program=enrolling_program, mentor=enrollment, status=Pair.Status.ACTIVE, published_at=timezone.now()
    )
    client.force_login(mentor)

    response = client.post(reverse("pairing:withdraw", args=[enrollment.pk]), follow=True)

    assert "ask HR for a confidential no-fault exit" in response.content.decode()
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPROVED


def test_an_outsider_cannot_see_or_change_someone_elses_enrolment(
    client, mentor, outsider, enrolling_program
):
    enrollment = enrol(enrolling_program, mentor, status="applied", trained=False)
    resource = Resource.objects.filter(program=enrolling_program).first()
    client.force_login(outsider)

    assert client.get(reverse("pairing:enrollment", args=[enrollment.pk])).status_code == 404
    assert client.post(reverse("pairing:withdraw", args=[enrollment.pk])).status_code == 404
    assert client.post(reverse("pairing:training_done", args=[enrollment.pk, resource.pk])).status_code == 404
    assert (
        client.post(
            reverse("pairing:enrollment_goals", args=[enrollment.pk]),
            {"learn_goals": "x", "teach_goals": "y"},
        ).status_code
        == 404
    )
    enrollment.refresh_from_db()
    assert enrollment.status == Enrollment.Status.APPLIED
    assert not TrainingCompletion.objects.exists()


@pytest.mark.parametrize("name", ["withdraw", "enrollment_goals"])
def test_post_only_enrolment_views_answer_405_to_get(client, mentor, enrolling_program, name):
    enrollment = enrol(enrolling_program, mentor, status="applied")
    client.force_login(mentor)

    assert client.get(reverse(f"pairing:{name}", args=[enrollment.pk])).status_code == 405


def test_the_enrolment_page_shows_the_status_training_and_agreement(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor, status="waitlisted", trained=False)
    client.force_login(mentor)

    page = client.get(reverse("pairing:enrollment", args=[enrollment.pk])).content.decode()

    assert "You are on the waiting list." in page
    assert "required before matching" in page
    assert "Version 1, accepted" in page


def test_goals_can_change_after_hr_lowered_the_mentor_capacity(client, mentor, enrolling_program):
    Program.objects.filter(pk=enrolling_program.pk).update(mentor_capacity=3)
    enrollment = enrol(enrolling_program, mentor, status="approved")
    Enrollment.objects.filter(pk=enrollment.pk).update(capacity=3)
    Program.objects.filter(pk=enrolling_program.pk).update(mentor_capacity=1)
    client.force_login(mentor)

    client.post(
        reverse("pairing:enrollment_goals", args=[enrollment.pk]),
        {"learn_goals": "Negotiation", "teach_goals": "Cloud"},
    )

    enrollment.refresh_from_db()
    assert enrollment.learn_goals == "Negotiation"


def test_with_an_active_pair_the_page_points_to_hr_instead_of_withdrawing(client, mentor, enrolling_program):
    enrollment = enrol(enrolling_program, mentor)
    PairFactory(
        program=enrolling_program, mentor=enrollment, status=Pair.Status.ACTIVE, published_at=timezone.now()
    )
    client.force_login(mentor)

    page = client.get(reverse("pairing:enrollment", args=[enrollment.pk])).content.decode()

    assert "You are in, and paired." in page
    assert "Withdraw from the program" not in page

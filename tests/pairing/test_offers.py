from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.matching_input import pool_load
from pairing.models import Pair, PairExclusion
from programs.models import Resource
from tests.factories import PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(matching_program):
    return PairFactory(
        program=matching_program,
        published_at=timezone.now(),
        explanation="Aisha can teach Robert Cloud services, which Robert ranked first.",
    )


def test_both_people_see_the_offer_with_partner_and_explanation(client, offer):
    mentee = offer.mentee.user
    mentee.job_title = "VP Sales"
    mentee.save()
    client.force_login(offer.mentor.user)

    page = client.get(reverse("pairing:pair", args=[offer.pk])).content.decode()

    assert f"Your mentee: {mentee.display_name}" in page
    assert "VP Sales" in page and "Sales" in page
    assert "Aisha can teach Robert Cloud services, which Robert ranked first." in page
    assert ">Accept<" in page and ">Decline<" in page
    assert mentee.email not in page  # contact details only once both accepted


def test_the_pair_is_active_once_both_accept(client, offer, django_capture_on_commit_callbacks):
    url = reverse("pairing:pair_respond", args=[offer.pk])
    client.force_login(offer.mentor.user)
    client.post(url, {"response": "accept"})
    offer.refresh_from_db()
    assert (offer.status, offer.mentor_response, offer.mentee_response) == ("proposed", "accepted", "pending")

    client.force_login(offer.mentee.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"response": "accept"}, follow=True)

    offer.refresh_from_db()
    assert offer.status == Pair.Status.ACTIVE and offer.activated_at and offer.mentee_responded_at
    assert "You are paired!" in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([offer.mentor.user.email, offer.mentee.user.email])


def test_declining_is_no_fault_and_returns_both_to_the_pool(
    client, offer, django_capture_on_commit_callbacks
):
    decliner, partner = offer.mentee.user, offer.mentor.user
    Resource.objects.filter(program=offer.program).delete()  # no training needed for the pool check
    client.force_login(decliner)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("pairing:pair_respond", args=[offer.pk]), {"response": "decline"}, follow=True
        )

    offer.refresh_from_db()
    assert offer.status == Pair.Status.DECLINED and offer.mentee_response == Pair.Response.DECLINED
    assert "No one is blamed" in response.content.decode()
    exclusion = PairExclusion.objects.get()
    assert (exclusion.mentor, exclusion.mentee, exclusion.created_by) == (offer.mentor, offer.mentee, None)
    pool = pool_load(offer.program)
    assert [e.pk for e in pool.mentors] == [offer.mentor.pk] and [e.pk for e in pool.mentees] == [
        offer.mentee.pk
    ]
    assert [m.to for m in mail.outbox] == [[partner.email]]
    message = mail.outbox[0]
    assert "won't go ahead" in message.body and "HR will find you a new match" in message.body
    assert decliner.display_name not in message.body + message.alternatives[0][0]


def test_the_partner_is_told_it_wont_go_ahead_without_who_declined(client, offer):
    client.force_login(offer.mentee.user)
    client.post(reverse("pairing:pair_respond", args=[offer.pk]), {"response": "decline"}, follow=True)
    client.force_login(offer.mentor.user)

    page = client.get(reverse("pairing:pair", args=[offer.pk])).content.decode()
    listing = client.get(reverse("pairing:mine")).content.decode()

    assert "This pairing won't go ahead. HR will find you a new match." in page
    assert "declined" not in page.lower() and "declined" not in listing.lower()


def test_answering_twice_is_refused(client, offer):
    client.force_login(offer.mentor.user)
    url = reverse("pairing:pair_respond", args=[offer.pk])
    client.post(url, {"response": "accept"})

    response = client.post(url, {"response": "decline"}, follow=True)

    assert "You have already answered." in response.content.decode()
    offer.refresh_from_db()
    assert offer.status == Pair.Status.PROPOSED


def test_a_nonsense_answer_changes_nothing(client, offer):
    client.force_login(offer.mentor.user)

    response = client.post(
        reverse("pairing:pair_respond", args=[offer.pk]), {"response": "maybe"}, follow=True
    )

    assert "Choose Accept or Decline." in response.content.decode()
    offer.refresh_from_db()
    assert offer.mentor_response == Pair.Response.PENDING


def test_other_people_get_404_on_a_pair(client, offer, outsider, hr_admin):
    for person in (outsider, hr_admin):
        client.force_login(person)
        assert client.get(reverse("pairing:pair", args=[offer.pk])).status_code == 404
        assert (
            client.post(reverse("pairing:pair_respond", args=[offer.pk]), {"response": "decline"}).status_code
            == 404
        )
        assert client.get(reverse("pairing:exit_request", args=[offer.pk])).status_code == 404
    offer.refresh_from_db()
    assert offer.status == Pair.Status.PROPOSED


def test_a_participant_of_another_pair_gets_404(client, offer):
    other = PairFactory(program=offer.program, published_at=timezone.now())
    client.force_login(other.mentor.user)

    assert client.get(reverse("pairing:pair", args=[offer.pk])).status_code == 404


def test_responding_answers_405_to_get(client, offer):
    client.force_login(offer.mentor.user)

    assert client.get(reverse("pairing:pair_respond", args=[offer.pk])).status_code == 405


def test_my_mentoring_lists_the_offer_waiting_for_an_answer(client, offer):
    client.force_login(offer.mentee.user)

    page = client.get(reverse("pairing:mine")).content.decode()

    assert "Waiting for your answer" in page
    assert reverse("pairing:pair", args=[offer.pk]) in page


def test_the_pair_page_shows_the_partners_bio_and_languages(client, offer):
    from tests.factories import ProfileFactory

    ProfileFactory(user=offer.mentee.user, languages=["English", "Spanish"], bio="Twenty years in sales.")
    client.force_login(offer.mentor.user)

    page = client.get(reverse("pairing:pair", args=[offer.pk])).content.decode()

    assert "Twenty years in sales." in page and "English, Spanish" in page

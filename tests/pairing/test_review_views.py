from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pairing.models import Pair, PairExclusion
from programs.models import Program
from tests.factories import PairFactory, UserFactory
from tests.pairing.conftest import enrol

pytestmark = pytest.mark.django_db


def test_hr_sees_proposals_with_scores_explanations_and_breakdown(client, hr_admin, matching_program):
    PairFactory(
        program=matching_program,
        score=6.24,
        locked=True,
        explanation="Aisha can teach Robert Cloud services, which Robert ranked first.",
        parts={"mentor_teaches": 3.0, "availability": 1.5},
    )
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_review", args=[matching_program.pk])).content.decode()

    assert "Aisha can teach Robert Cloud services, which Robert ranked first." in page
    assert "Score 6.2" in page
    assert "Locked" in page and "Unlock" in page
    assert "Mentor can teach what the mentee wants to learn" in page
    assert 'value="3.000000"' in page


def test_participants_and_leads_cannot_see_the_review(client, mentor, lead, matching_program):
    pair = PairFactory(program=matching_program)
    for person in (mentor, lead, pair.mentor.user):
        client.force_login(person)
        assert client.get(reverse("pairing:hr_review", args=[matching_program.pk])).status_code == 404


def test_drafts_are_invisible_to_the_people_in_them(client, matching_program):
    pair = PairFactory(program=matching_program)
    client.force_login(pair.mentee.user)

    assert client.get(reverse("pairing:pair", args=[pair.pk])).status_code == 404
    assert pair.mentor.user.display_name not in client.get(reverse("pairing:mine")).content.decode()


def test_hr_locks_and_unlocks_a_draft(client, hr_admin, matching_program):
    pair = PairFactory(program=matching_program)
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_pair_lock", args=[pair.pk]), {"locked": "1"})
    pair.refresh_from_db()
    assert pair.locked

    client.post(reverse("pairing:hr_pair_lock", args=[pair.pk]), {"locked": "0"})
    pair.refresh_from_db()
    assert not pair.locked


def test_hr_forbids_a_pair_and_the_draft_goes(client, hr_admin, matching_program):
    pair = PairFactory(program=matching_program)
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_pair_forbid", args=[pair.pk]))

    assert not Pair.objects.filter(pk=pair.pk).exists()
    exclusion = PairExclusion.objects.get()
    assert (exclusion.mentor, exclusion.mentee, exclusion.created_by) == (pair.mentor, pair.mentee, hr_admin)


def test_a_published_pair_cannot_be_locked_or_forbidden(client, hr_admin, matching_program):
    pair = PairFactory(program=matching_program, published_at=timezone.now())
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_pair_forbid", args=[pair.pk]), follow=True)
    client.post(reverse("pairing:hr_pair_lock", args=[pair.pk]), {"locked": "1"})

    assert "already published" in response.content.decode()
    pair.refresh_from_db()
    assert not pair.locked and not PairExclusion.objects.exists()


def test_hr_swaps_the_mentees_of_two_drafts(client, hr_admin, matching_program):
    a = PairFactory(program=matching_program)
    b = PairFactory(program=matching_program)
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_swap", args=[matching_program.pk]), {"first": a.pk, "second": b.pk}
    )

    assert response.status_code == 302
    pairs = {(p.mentor_id, p.mentee_id): p for p in Pair.objects.all()}
    assert set(pairs) == {(a.mentor_id, b.mentee_id), (b.mentor_id, a.mentee_id)}
    assert all(p.locked and p.explanation and p.score > 0 for p in pairs.values())


def test_a_swap_that_would_cross_a_reporting_line_is_refused_with_the_reason(
    client, hr_admin, matching_program
):
    boss = enrol(matching_program, role="mentee", full_name="Rita Boss")
    a = PairFactory(program=matching_program, mentee=boss)
    b = PairFactory(
        program=matching_program,
        mentor=enrol(matching_program, role="mentor", full_name="Jo Report", manager=boss.user),
    )
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_swap", args=[matching_program.pk]), {"first": a.pk, "second": b.pk}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "This swap would break a rule: Jo Report and Rita Boss are in the same reporting line." in page
    assert set(Pair.objects.values_list("pk", flat=True)) == {a.pk, b.pk}


def test_swapping_a_pair_with_itself_is_refused(client, hr_admin, matching_program):
    a = PairFactory(program=matching_program)
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_swap", args=[matching_program.pk]), {"first": a.pk, "second": a.pk}
    )

    assert "Pick two different pairs." in response.content.decode()
    assert Pair.objects.get().pk == a.pk


def test_hr_pairs_two_people_by_hand(client, hr_admin, matching_program):
    mentor = enrol(matching_program, role="mentor")
    mentee = enrol(matching_program, role="mentee")
    client.force_login(hr_admin)

    client.post(
        reverse("pairing:hr_manual_pair", args=[matching_program.pk]),
        {"mentor": mentor.pk, "mentee": mentee.pk},
    )

    pair = Pair.objects.get()
    assert (pair.mentor, pair.mentee, pair.locked, pair.published_at) == (mentor, mentee, True, None)
    assert pair.explanation


def test_a_manual_pair_that_breaks_the_level_gap_is_refused(client, hr_admin, matching_program):
    mentor = enrol(matching_program, role="mentor", level=4, full_name="Jo Junior")
    mentee = enrol(matching_program, role="mentee", level=5, full_name="Ann Almost")
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_manual_pair", args=[matching_program.pk]),
        {"mentor": mentor.pk, "mentee": mentee.pk},
    )

    assert "The mentee must be at least 2 levels above the mentor" in response.content.decode()
    assert not Pair.objects.exists()


def test_a_mentee_who_already_has_a_pair_cannot_be_paired_again(client, hr_admin, matching_program):
    existing = PairFactory(program=matching_program)
    other = enrol(matching_program, role="mentor")
    client.force_login(hr_admin)

    response = client.post(
        reverse("pairing:hr_manual_pair", args=[matching_program.pk]),
        {"mentor": other.pk, "mentee": existing.mentee.pk},
    )

    assert "already has a pair" in response.content.decode()
    assert Pair.objects.count() == 1


def test_a_manual_pair_needs_both_people(client, hr_admin, matching_program):
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_manual_pair", args=[matching_program.pk]), {"mentor": "abc"})

    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_publishing_offers_every_draft_and_emails_both_people(
    client, hr_admin, matching_program, django_capture_on_commit_callbacks
):
    pairs = [PairFactory(program=matching_program) for _ in range(2)]
    client.force_login(hr_admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pairing:hr_publish", args=[matching_program.pk]), follow=True)

    assert "Published 2 pair(s)." in response.content.decode()
    assert all(p.published_at for p in Pair.objects.all())
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(e.user.email for p in pairs for e in (p.mentor, p.mentee))
    offer = next(m for m in mail.outbox if m.to == [pairs[0].mentee.user.email])
    link = reverse("pairing:pair", args=[pairs[0].pk])
    assert link in offer.body and link in offer.alternatives[0][0]
    assert pairs[0].mentor.user.display_name in offer.subject


def test_publishing_waits_for_the_matching_step(client, hr_admin, enrolling_program):
    pair = PairFactory(program=enrolling_program)
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_publish", args=[enrolling_program.pk]), follow=True)

    assert "Pairs are published once the program is in matching" in response.content.decode()
    pair.refresh_from_db()
    assert pair.published_at is None and not mail.outbox


def test_publishing_nothing_says_so(client, hr_admin, matching_program):
    client.force_login(hr_admin)

    response = client.post(reverse("pairing:hr_publish", args=[matching_program.pk]), follow=True)

    assert "There are no proposed pairs to publish." in response.content.decode()


@pytest.mark.parametrize("name", ["hr_swap", "hr_manual_pair", "hr_publish"])
def test_program_actions_are_hr_only_and_post_only(client, hr_admin, mentor, matching_program, name):
    url = reverse(f"pairing:{name}", args=[matching_program.pk])
    client.force_login(mentor)
    assert client.post(url).status_code == 404
    client.force_login(hr_admin)
    assert client.get(url).status_code == 405


@pytest.mark.parametrize("name", ["hr_pair_lock", "hr_pair_forbid"])
def test_pair_actions_are_hr_only_and_post_only(client, hr_admin, matching_program, name):
    pair = PairFactory(program=matching_program)
    client.force_login(pair.mentor.user)
    assert client.post(reverse(f"pairing:{name}", args=[pair.pk])).status_code == 404
    client.force_login(hr_admin)
    assert client.get(reverse(f"pairing:{name}", args=[pair.pk])).status_code == 405
    assert Pair.objects.filter(pk=pair.pk, locked=False).exists()


def _add_pairs(program, n: int) -> None:
    for i in range(n):
        PairFactory(program=program, locked=i % 2 == 0)
        if i % 5 == 0:
            PairFactory(program=program, published_at=timezone.now(), status="active")


def test_the_review_page_costs_the_same_queries_at_5_and_50_pairs(
    client, hr_admin, matching_program, django_assert_max_num_queries
):
    enrol(matching_program, role="mentor")
    enrol(matching_program, role="mentee")
    client.force_login(hr_admin)
    url = reverse("pairing:hr_review", args=[matching_program.pk])
    client.get(url)  # the first request of a session writes the session: measure later ones
    counts = []
    for total in (5, 50):
        _add_pairs(matching_program, total - Pair.objects.filter(published_at__isnull=True).count())
        # Pages of proposals and published pairs (a count and rows each), the two lists of the
        # "pair two people" form, the figures: a few more than the unpaged page, but fixed.
        with django_assert_max_num_queries(32) as queries:
            response = client.get(url)
        counts.append(len(queries))
        assert response.content.decode().count('class="card pair-card') == min(total, 25)  # a page

    assert counts[0] == counts[1]


def test_my_mentoring_costs_the_same_queries_at_5_and_50_pairs(
    client, matching_program, django_assert_max_num_queries
):
    person = UserFactory(level=3)
    client.force_login(person)
    client.get(reverse("pairing:mine"))
    counts = []
    for start, end in ((0, 5), (5, 50)):
        for i in range(start, end):
            program = Program.objects.create(name=f"Program {i}", status="running")
            mine = enrol(program, person, role="mentor")
            PairFactory(program=program, mentor=mine, published_at=timezone.now(), status="active")
        with django_assert_max_num_queries(25) as queries:
            response = client.get(reverse("pairing:mine"))
        counts.append(len(queries))
        assert response.content.decode().count("your mentee") == end

    assert counts[0] == counts[1]

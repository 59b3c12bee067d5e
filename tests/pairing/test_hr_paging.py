"""HR's matching review and exits queue in pages: links, bad page numbers, search, fixed query counts."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from pairing.models import Enrollment, ExitRequest, Pair
from programs.models import Program

pytestmark = pytest.mark.django_db


def bulk_pairs(program: Program, n: int, *, start: int = 0, published: bool = False) -> list[Pair]:
    """``n`` pairs of new people (bulk: hundreds in a moment), drafts unless ``published``."""
    agreement = program.current_agreement()
    now = timezone.now()
    users = User.objects.bulk_create(
        [User(email=f"p{start + i}-{side}@paging.example", full_name=f"{side.title()} {start + i:04d}",
              level=3 if side == "mentor" else 10, department="Engineering" if side == "mentor" else "Sales")
         for i in range(n) for side in ("mentor", "mentee")])
    enrollments = Enrollment.objects.bulk_create(
        [Enrollment(program=program, user=user, role="mentor" if user.level == 3 else "mentee",
                    status="approved", agreement_version=agreement, agreement_accepted_at=now,
                    learn_goals="Learn", teach_goals="Teach")
         for user in users])
    pairs = Pair.objects.bulk_create(
        [Pair(program=program, mentor=enrollments[2 * i], mentee=enrollments[2 * i + 1], score=100 - i,
              explanation="They fit.", parts={"mentor_teaches": 2.0},
              **({"status": "active", "published_at": now, "activated_at": now} if published else {}))
         for i in range(n)])
    analyze()
    return pairs


def cards(page: str) -> list[str]:
    return re.findall(r'id="pair-(\d+)"', page)


def test_the_review_shows_proposals_twenty_five_at_a_time_with_links_to_the_others(
    client, hr_admin, matching_program
):
    pairs = bulk_pairs(matching_program, 120)
    client.force_login(hr_admin)
    url = reverse("pairing:hr_review", args=[matching_program.pk])

    first = client.get(url).content.decode()
    last = client.get(url, {"page": 5}).content.decode()

    assert cards(first) == [str(p.pk) for p in pairs[:25]]  # best score first
    assert cards(last) == [str(p.pk) for p in pairs[100:]]
    assert "120 proposed pairs" in first and "Showing 1–25 of 120." in first
    # Plain links (reachable by keyboard, no script needed) in a labelled navigation landmark.
    assert '<nav class="pagination" aria-label="Pages of proposed pairs">' in first
    assert 'href="?page=2#proposals" rel="next"' in first
    assert 'href="?page=5#proposals" rel="last"' in first
    assert 'href="?page=1#proposals" rel="first"' in last and 'href="?page=4#proposals" rel="prev"' in last
    assert '<span aria-current="page">Page 5 of 5</span>' in last


@pytest.mark.parametrize(("asked", "notice", "shown"), [
    ("abc", "“abc” is not a page number: showing the first page.", 1),
    ("99", "There is no page 99: showing the last page (5).", 5),
    ("0", "There is no page 0: showing the first page.", 1),
    ("-2", "There is no page -2: showing the first page.", 1),
])
def test_a_page_that_does_not_exist_shows_the_nearest_one_and_says_so(
    client, hr_admin, matching_program, asked, notice, shown
):
    bulk_pairs(matching_program, 120)
    client.force_login(hr_admin)

    response = client.get(reverse("pairing:hr_review", args=[matching_program.pk]), {"page": asked})

    assert response.status_code == 200
    page = response.content.decode()
    assert notice in page
    assert f"Page {shown} of 5" in page


def test_published_pairs_page_on_their_own_without_moving_the_proposals(client, hr_admin, matching_program):
    bulk_pairs(matching_program, 60)
    published = bulk_pairs(matching_program, 55, start=500, published=True)
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_review", args=[matching_program.pk]),
                      {"page": 3, "published": 2}).content.decode()

    assert len(cards(page)) == 10  # proposals 51-60
    assert page.count("Mentor 05") == 5  # the last five published pairs (Mentor 0550-0554)
    assert published[-1].mentor.user.full_name in page
    assert 'href="?page=3&amp;published=1#published" rel="first"' in page


def test_searching_the_review_finds_pairs_and_unpaired_people_by_name(client, hr_admin, matching_program):
    pairs = bulk_pairs(matching_program, 80)
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_review", args=[matching_program.pk]),
                      {"q": "mentee 0070, MENTOR 0003"}).content.decode()

    assert cards(page) == [str(pairs[3].pk), str(pairs[70].pk)]
    assert "2 proposed pairs match" in page
    # The swap form offers the pairs found, so two pairs on different pages can be swapped.
    swap = page[page.index('id="swap"'):page.index('id="manual"')]
    assert swap.count("<option") == 2 * 3  # two lists: "Choose a pair" and the two pairs


def test_hr_swaps_two_pairs_that_are_not_on_the_page_shown(client, hr_admin, matching_program):
    pairs = bulk_pairs(matching_program, 120)
    client.force_login(hr_admin)

    client.post(reverse("pairing:hr_swap", args=[matching_program.pk]),
                {"first": pairs[60].pk, "second": pairs[110].pk})

    assert Pair.objects.filter(mentor=pairs[60].mentor, mentee=pairs[110].mentee, locked=True).exists()
    assert Pair.objects.filter(mentor=pairs[110].mentor, mentee=pairs[60].mentee, locked=True).exists()


def test_the_review_costs_the_same_queries_at_3_and_300_pairs(
    client, hr_admin, matching_program, django_assert_max_num_queries
):
    client.force_login(hr_admin)
    url = reverse("pairing:hr_review", args=[matching_program.pk])
    client.get(url)
    counts = []
    for start, n in ((0, 3), (1000, 297)):
        bulk_pairs(matching_program, n, start=start)
        bulk_pairs(matching_program, n, start=start + 5000, published=True)
        with django_assert_max_num_queries(32) as queries:
            page = client.get(url, {"page": 2}).content.decode()
        counts.append(len(queries))
    assert "300 proposed pairs" in page and len(cards(page)) == 25
    assert counts[0] == counts[1]


def _exits(program: Program, n: int, start: int) -> list[ExitRequest]:
    pairs = bulk_pairs(program, n, start=start, published=True)
    requests = ExitRequest.objects.bulk_create([
        ExitRequest(pair=pair, requested_by=pair.mentee.user, kind="rematch") for pair in pairs])
    analyze()
    return requests


def analyze() -> None:
    """Statistics, as autovacuum keeps them: without them the planner takes these uncommitted
    tables for empty and may pick nested loops that run for minutes (seen on a loaded machine)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def test_the_exits_queue_pages_open_requests_oldest_first(client, hr_admin, matching_program):
    requests = _exits(matching_program, 60, 0)
    client.force_login(hr_admin)
    url = reverse("pairing:hr_exits")

    first = client.get(url).content.decode()
    last = client.get(url, {"page": 3}).content.decode()
    wrong = client.get(url, {"page": "abc"})

    review = reverse("pairing:hr_exit_resolve", args=[requests[0].pk])
    assert "60 open requests, oldest first." in first and f'href="{review}"' in first
    assert first.count("Review<span") == 25 and last.count("Review<span") == 10
    assert f'href="{reverse("pairing:hr_exit_resolve", args=[requests[-1].pk])}"' in last
    assert 'href="?page=2#open-heading" rel="prev"' in last
    assert wrong.status_code == 200 and "is not a page number" in wrong.content.decode()


def test_the_exits_queue_costs_the_same_queries_at_2_and_120_requests(
    client, hr_admin, matching_program, django_assert_max_num_queries
):
    client.force_login(hr_admin)
    url = reverse("pairing:hr_exits")
    client.get(url)
    counts = []
    for start, n in ((0, 2), (1000, 118)):
        _exits(matching_program, n, start)
        with django_assert_max_num_queries(20) as queries:
            page = client.get(url).content.decode()
        counts.append(len(queries))
    assert page.count("Review<span") == 25
    assert counts[0] == counts[1]

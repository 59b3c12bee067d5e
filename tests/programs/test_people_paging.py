"""HR's People page in pages of 50: links that keep the search, bad page numbers, fixed queries, indexes."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse

from accounts.models import User
from programs.selectors import people_search

pytestmark = pytest.mark.django_db


def people(n: int, start: int = 0) -> None:
    User.objects.bulk_create([
        User(email=f"worker{start + i:04d}@paging.example", full_name=f"Worker {start + i:04d}",
             department="Engineering" if i % 2 else "Sales", job_title="Analyst")
        for i in range(n)])


def test_people_come_fifty_a_page_and_the_links_keep_the_search(client, hr_admin):
    people(120)
    client.force_login(hr_admin)
    url = reverse("programs:people")

    page = client.get(url, {"q": "worker", "page": 2}).content.decode()

    assert "120 people" in page
    assert "Worker 0050" in page and "Worker 0099" in page
    assert "Worker 0049" not in page and "Worker 0100" not in page
    assert '<nav class="pagination" aria-label="Pages of people">' in page
    assert 'href="?q=worker&amp;page=3" rel="next"' in page
    assert 'href="?q=worker&amp;page=1" rel="prev"' in page
    assert '<span aria-current="page">Page 2 of 3</span>' in page


@pytest.mark.parametrize(("asked", "notice", "first_shown"), [
    ("abc", "“abc” is not a page number: showing the first page.", "Worker 0000"),
    ("40", "There is no page 40: showing the last page (3).", "Worker 0100"),
])
def test_a_page_that_does_not_exist_shows_the_nearest_one_with_a_sentence(
    client, hr_admin, asked, notice, first_shown
):
    people(120)
    client.force_login(hr_admin)

    response = client.get(reverse("programs:people"), {"q": "worker", "page": asked})

    assert response.status_code == 200
    assert notice in response.content.decode()
    assert first_shown in response.content.decode()


def test_the_people_page_costs_the_same_queries_at_10_and_300_people(
    client, hr_admin, django_assert_max_num_queries
):
    client.force_login(hr_admin)
    url = reverse("programs:people")
    client.get(url)
    counts = []
    for start, n in ((0, 10), (10, 290)):
        people(n, start)
        with django_assert_max_num_queries(20) as queries:
            page = client.get(url, {"q": "worker", "page": 2}).content.decode()
        counts.append(len(queries))
    assert "300 people" in page
    assert counts[0] == counts[1]


@pytest.mark.postgres
@pytest.mark.parametrize(("term", "index"), [("orker 01", "user_full_name_trgm"),
                                            ("paging.exa", "user_email_trgm")])
def test_the_search_by_name_or_address_can_use_a_trigram_index(hr_admin, term, index):
    people(300)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE accounts_user")
        # Few rows: the planner would rightly read the table, or walk a whole B-tree (the manager's,
        # for the join) and filter every row. Without those two choices only bitmap scans remain,
        # and a bitmap scan needs an index that answers the search itself.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        sql, params = people_search(term).query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())

    assert index in plan
    assert [u.full_name for u in people_search("Worker 0123")] == ["Worker 0123"]

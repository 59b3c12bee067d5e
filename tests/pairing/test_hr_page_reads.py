"""What keeps HR's enrolments, review and exits pages fast at 20,000 participants: the lists read
in index order, the reporting-line check over pair members only, and cheap per-row rendering."""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.models import User
from pairing import review_reads, selectors
from pairing.forms import ListSelect
from pairing.lifecycle import FLAGGED_SHOWN, pairs_in_reporting_line
from pairing.models import Enrollment, ExitRequest, Pair
from tests.factories import ActivePairFactory, PairFactory, UserFactory
from tests.pairing.test_hr_paging import analyze, bulk_pairs

pytestmark = pytest.mark.django_db


# --- the reporting-line flag on the exits page ------------------------------------------------


def _report_to(person: User, manager: User | None) -> None:
    User.objects.filter(pk=person.pk).update(manager=manager)


def test_active_pairs_in_one_reporting_line_are_flagged_whichever_side_is_above():
    direct, skip_level, reverse_line, cousins, drafted = (ActivePairFactory() for _ in range(5))
    _report_to(direct.mentee.user, direct.mentor.user)  # the mentor manages the mentee
    boss = UserFactory()
    _report_to(skip_level.mentor.user, boss)
    _report_to(boss, skip_level.mentee.user)  # the mentee is the mentor's manager's manager
    _report_to(reverse_line.mentor.user, reverse_line.mentee.user)
    head = UserFactory()
    _report_to(cousins.mentor.user, head)
    _report_to(cousins.mentee.user, head)  # same manager, neither above the other: allowed
    _report_to(drafted.mentee.user, drafted.mentor.user)
    Pair.objects.filter(pk=drafted.pk).update(status=Pair.Status.COMPLETED)  # over: nothing to decide

    flagged = {p.pk for p in pairs_in_reporting_line()}

    assert flagged == {direct.pk, skip_level.pk, reverse_line.pk}


def test_a_manager_loop_in_imported_data_ends_the_walk_up():
    pair = ActivePairFactory()
    a, b = UserFactory(), UserFactory()
    _report_to(pair.mentor.user, a)
    _report_to(a, b)
    _report_to(b, a)  # a loop above the mentor that never reaches the mentee
    _report_to(pair.mentee.user, b)

    assert pairs_in_reporting_line() == []
    _report_to(a, pair.mentee.user)  # now the mentee sits above the mentor, through the loop's start
    assert [p.pk for p in pairs_in_reporting_line()] == [pair.pk]


def test_the_exits_page_lists_the_first_flagged_pairs_and_says_there_are_more(
    client, hr_admin, matching_program, django_assert_max_num_queries
):
    pairs = bulk_pairs(matching_program, FLAGGED_SHOWN + 2, published=True)
    for pair in pairs:
        _report_to(pair.mentee.user, pair.mentor.user)
    client.force_login(hr_admin)

    with django_assert_max_num_queries(20):
        page = client.get(reverse("pairing:hr_exits")).content.decode()

    assert page.count("data-flagged-pair=") == FLAGGED_SHOWN
    assert f'data-flagged-pair="{pairs[0].pk}"' in page and f'data-flagged-pair="{pairs[-1].pk}"' not in page
    assert f"The first {FLAGGED_SHOWN} pairs are listed" in page


def test_the_exits_queue_shows_a_page_of_requests_with_names_and_program(client, hr_admin, matching_program):
    pairs = bulk_pairs(matching_program, 55, published=True)
    ExitRequest.objects.bulk_create([
        ExitRequest(pair=pair, requested_by=pair.mentee.user, kind="rematch") for pair in pairs])
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_exits")).content.decode()

    assert page.count("Review<span") == 25 and "55 open requests" in page
    first = pairs[0]
    assert (f"Pair: {first.mentor.user.display_name} (mentor) and {first.mentee.user.display_name} (mentee)"
            in page)
    assert matching_program.name in page


# --- the lists read in index order (PostgreSQL) ------------------------------------------------


def _plan(queryset) -> str:
    with connection.cursor() as cursor:
        # Few rows here: the planner would rightly read the table and sort it. Forbidding sorts
        # and table scans leaves only plans that read an index already in the list's order.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_incremental_sort = off")
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    return plan


@pytest.mark.postgres
def test_each_hr_list_is_read_off_an_index_in_its_own_order(matching_program):
    pairs = bulk_pairs(matching_program, 30)
    bulk_pairs(matching_program, 30, start=500, published=True)
    ExitRequest.objects.bulk_create([ExitRequest(pair=p, requested_by=p.mentee.user) for p in pairs[:10]])
    analyze()

    lists = {
        "enrollment_hr_order": selectors.hr_enrollments(matching_program, "approved", role="mentor")[:50],
        "pair_draft_review_order": review_reads.review_drafts(matching_program)[:50],
        "pair_published_review_order": review_reads.review_published(matching_program)[:50],
        "exit_request_open_queue": review_reads.exit_queue()[:50],
    }

    for index, rows in lists.items():
        plan = _plan(rows)
        assert index in plan, plan
        assert "Sort" not in plan.replace("Presorted", ""), plan


# --- the review's rows --------------------------------------------------------------------------


def test_the_free_people_lists_offer_those_waiting_longest_listed_by_name(matching_program):
    agreement = matching_program.current_agreement()
    now = Pair._meta.get_field("created_at").default()
    names = ["Zoe", "Adam", "Mia", "Ben"]  # applied in this order, Zoe first
    users = User.objects.bulk_create([User(email=f"{n.lower()}@free.example", full_name=n) for n in names])
    Enrollment.objects.bulk_create([
        Enrollment(program=matching_program, user=user, role="mentee", status="approved",
                   agreement_version=agreement, agreement_accepted_at=now, learn_goals="Learn",
                   teach_goals="Teach", applied_at=now.replace(year=2020, month=1, day=i + 1))
        for i, user in enumerate(users)])

    shown = review_reads.free_people(matching_program, "mentee", limit=3)

    assert [e.user.full_name for e in shown] == ["Adam", "Mia", "Zoe"]  # Ben applied last


def test_the_score_breakdown_is_written_with_the_language_s_decimal_mark_rounding_half_up(
    client, hr_admin, matching_program
):
    PairFactory(program=matching_program, score=72.25, parts={"mentor_teaches": 2.35, "availability": 1.0})
    hr_admin.language = "de"
    hr_admin.save(update_fields=["language"])
    client.force_login(hr_admin)

    page = client.get(reverse("pairing:hr_review", args=[matching_program.pk])).content.decode()

    assert "72,3" in page  # floatformat's rounding (half up), not Python's (72.2)
    assert '<meter min="0" max="' in page and 'value="2.350000">2,4</meter>' in page
    with translation.override("en"):
        text = selectors.one_decimal()
        assert (text(2.25), text(0), text(86)) == ("2.3", "0.0", "86.0")


def test_the_review_selects_keep_the_field_s_attributes_and_choice():
    select = ListSelect(choices=[("", "Choose a pair"), (7, "Ann & Bob"), (9, "Cy + Di")])

    html = select.render("first", 9, attrs={"id": "id_first", "required": True})

    assert html == ('<select name="first" id="id_first" required><option value="">Choose a pair</option>'
                    '<option value="7">Ann &amp; Bob</option><option value="9" selected>Cy + Di</option>'
                    '</select>')

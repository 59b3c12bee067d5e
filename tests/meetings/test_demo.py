"""seed_demo's sessions: past held sessions with logs, cancellations by each role, upcoming ones."""

from __future__ import annotations

import pytest
from django.db.models import Count

from meetings.demo import seed_meetings
from meetings.models import Meeting, MeetingEvent, PrivateReflection, SessionLog
from notifications.models import Delivery


@pytest.fixture
def demo(db):
    from accounts.demo import seed_people
    from pairing.demo import seed_pairing
    from programs.demo import seed_programs

    people = seed_people()
    programs = seed_programs(people)
    pairing = seed_pairing(people, programs)
    created = seed_meetings(people, programs, pairing)
    return people, programs, pairing, created


def test_aisha_and_robert_have_three_logged_sessions_and_one_upcoming(demo):
    people, *_rest = demo
    meetings = Meeting.objects.filter(pair__mentor__user=people["mentor"],
                                      pair__mentee__user=people["mentee"], series_occurrence__isnull=True)
    by_status = dict(meetings.values_list("status").annotate(n=Count("id")))
    assert by_status == {"held": 3, "confirmed": 1}
    logs = SessionLog.objects.filter(meeting__in=meetings)
    assert logs.count() == 3
    assert all(log.shared_summary and log.topics_by_mentor.exists() and log.topics_by_mentee.exists()
               for log in logs)
    from django.utils import timezone

    assert meetings.get(status="confirmed").starts_at > timezone.now()
    assert all(m.starts_at < timezone.now() for m in meetings.filter(status="held"))


def test_the_demo_has_cancellations_and_reschedules_by_each_role_and_reflections_only_for_aisha(demo):
    people, *_rest = demo
    counts = {(kind, role): n for kind, role, n in MeetingEvent.objects.filter(
        kind__in=["cancelled", "rescheduled"]).values_list("kind", "actor_role").annotate(n=Count("id"))}
    assert all(counts.get((kind, role), 0) >= 2 for kind in ("cancelled", "rescheduled")
               for role in ("mentor", "mentee")), counts
    assert set(PrivateReflection.objects.values_list("author", flat=True)) == {people["mentor"].pk}
    assert Meeting.objects.filter(status="held").count() >= 10
    assert not Delivery.objects.filter(message__kind="meeting-notice", state="pending").exists()


def test_seeding_twice_changes_nothing(demo):
    people, programs, pairing, created = demo
    assert created["meetings"] == Meeting.objects.count()
    assert seed_meetings(people, programs, pairing) == {"meetings": 0}
    assert Meeting.objects.count() == created["meetings"]


def test_aisha_and_robert_hold_a_recurring_slot_and_one_senior_has_cancelled_twice(demo):
    from django.utils import timezone

    from meetings import commitment
    from meetings.models import MeetingSeries
    from notifications.models import Message

    people, *_rest = demo
    series = MeetingSeries.objects.get(pair__mentor__user=people["mentor"],
                                       pair__mentee__user=people["mentee"])
    instances = Meeting.objects.filter(series_occurrence__series=series)
    assert series.status == "active" and series.interval_weeks == 2 and instances.count() >= 2
    assert all(m.status == "confirmed" and m.starts_at > timezone.now() for m in instances)
    assert not Message.objects.filter(kind="series-notice").exists()  # demo history is not news
    waiting = [p for p in {m.pair for m in Meeting.objects.select_related("pair__program")}
               if commitment.pair_counts(p)["mentee"]["cancelled"] == 2 and commitment.rebook_due(p)]
    assert len(waiting) == 1 and waiting[0].mentee.user != people["mentee"]
    assert commitment.rebook_due(waiting[0]).overdue


@pytest.mark.parametrize("moment", ["2026-11-30T00:00:00+00:00", "2026-12-06T23:59:00+00:00"])
def test_the_commitment_demo_holds_on_a_monday_at_midnight_and_late_on_a_sunday(db, time_machine, moment):
    import datetime as dt

    from accounts.demo import seed_people
    from meetings import commitment
    from meetings.models import MeetingSeries
    from pairing.demo import seed_pairing
    from programs.demo import seed_programs

    time_machine.move_to(dt.datetime.fromisoformat(moment), tick=False)
    people = seed_people()
    programs = seed_programs(people)
    seed_meetings(people, programs, seed_pairing(people, programs))

    assert MeetingSeries.objects.filter(status="active").count() == 1
    pairs = {m.pair for m in Meeting.objects.select_related("pair__program")}
    assert [p for p in pairs if commitment.pair_counts(p)["mentee"]["cancelled"] == 2
            and (due := commitment.rebook_due(p)) and due.overdue]


def test_the_demo_sessions_carry_menu_topics_with_agendas_and_a_proposal_waits_for_hr(demo):
    people, programs, *_rest = demo
    upcoming = Meeting.objects.get(pair__mentor__user=people["mentor"], pair__mentee__user=people["mentee"],
                                   status="confirmed",
                                   series_occurrence__isnull=True)
    assert upcoming.topic is not None and upcoming.topic.program == programs["running"]
    assert len(upcoming.topic.agenda_steps) >= 3 and upcoming.topic.question_list
    from programs.models import TopicProposal

    proposal = TopicProposal.objects.get(program=programs["running"])
    assert (proposal.status, proposal.proposed_by) == ("pending", people["mentor"])

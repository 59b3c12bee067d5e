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
                                      pair__mentee__user=people["mentee"])
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


def test_the_demo_sessions_carry_menu_topics_with_agendas_and_a_proposal_waits_for_hr(demo):
    people, programs, *_rest = demo
    upcoming = Meeting.objects.get(pair__mentor__user=people["mentor"], pair__mentee__user=people["mentee"],
                                   status="confirmed")
    assert upcoming.topic is not None and upcoming.topic.program == programs["running"]
    assert len(upcoming.topic.agenda_steps) >= 3 and upcoming.topic.question_list
    from programs.models import TopicProposal

    proposal = TopicProposal.objects.get(program=programs["running"])
    assert (proposal.status, proposal.proposed_by) == ("pending", people["mentor"])

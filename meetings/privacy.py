"""What meetings holds about a person: their sessions, their own private reflections, the
shared logs of their pairs, action items and goal progress (see accounts/privacy.py)."""

from __future__ import annotations

from django.db.models import Q

from accounts.privacy import row
from meetings.models import (
    ActionItem,
    CalendarFeed,
    GoalProgress,
    Meeting,
    MeetingEvent,
    PrivateReflection,
    SessionLog,
)


def _their_meetings(user):
    return Meeting.objects.filter(Q(pair__mentor__user=user) | Q(pair__mentee__user=user))


def export(user) -> dict:
    meetings = _their_meetings(user)
    logs = SessionLog.objects.filter(meeting__in=meetings).prefetch_related(
        "topics_by_mentor", "topics_by_mentee")
    return {
        "sessions": [row(m) for m in meetings],
        "session_events": [row(e) for e in MeetingEvent.objects.filter(meeting__in=meetings)],
        "session_logs": [
            {**row(log), "topics_by_mentor": [t.name for t in log.topics_by_mentor.all()],
             "topics_by_mentee": [t.name for t in log.topics_by_mentee.all()]}
            for log in logs
        ],
        # Only the person's own reflections: the partner's stay private even here.
        "my_private_reflections": [row(r) for r in PrivateReflection.objects.filter(author=user)],
        "action_items": [row(a) for a in ActionItem.objects.filter(Q(owner=user) | Q(created_by=user))],
        "goal_progress": [row(g) for g in GoalProgress.objects.filter(author__user=user)],
    }


def erase(user) -> None:
    meetings = _their_meetings(user)
    PrivateReflection.objects.filter(author=user).delete()
    GoalProgress.objects.filter(author__user=user).delete()
    ActionItem.objects.filter(owner=user).delete()
    # Shared summaries are about both people of the pair: they go with either person.
    SessionLog.objects.filter(meeting__in=meetings).update(shared_summary="")
    Meeting.objects.filter(cancelled_by=user).update(cancel_reason="")
    MeetingEvent.objects.filter(actor=user).update(reason="")
    CalendarFeed.objects.filter(user=user).delete()

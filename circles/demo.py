"""Demo circles for `seed_demo`: one learning circle and one mentor peer circle in the running program.

Aisha (the demo mentor) hosts a learning circle of four seniors, Robert (the demo mentee) among
them: one session held last week (answers, attendance, shared notes with topics taught, a private
reflection, action items, survey answers) and one booked next week with places still open. She is
also a member of a peer circle of junior mentors with a session booked next week. Times are laid
out from the start of the current week (programs.demo.history_anchor), so the demo reads the same on
every day; everything goes through the services, with the clock set back for the past, and the
demo's history sends nobody an e-mail. Idempotent: nothing happens when the program has circles.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from circles import messages, services
from circles.models import Circle
from pairing.models import Enrollment, Expertise
from programs.demo import history_anchor
from programs.models import Direction, ProgramTopic


def _at(day: dt.datetime, hour: int) -> dt.datetime:
    return day.replace(hour=hour, minute=0, second=0, microsecond=0)


@transaction.atomic
def seed_circles(people: dict, programs: dict) -> dict:
    """Create the demo circles. Returns {"circles": how many the running program has}."""
    program = programs.get("running")
    mentor, mentee = people.get("mentor"), people.get("mentee")
    if program is None or mentor is None or program.circles.exists():
        return {"circles": program.circles.count() if program else 0}
    approved = program.enrollments.filter(status=Enrollment.Status.APPROVED).select_related("user")
    host = approved.filter(user=mentor, role=Enrollment.Role.MENTOR).first()
    juniors = list(approved.filter(role=Enrollment.Role.MENTOR).exclude(user=mentor).order_by("id")[:4])
    seniors = list(approved.filter(role=Enrollment.Role.MENTEE).exclude(user=mentee).order_by("id")[:3])
    robert = approved.filter(user=mentee, role=Enrollment.Role.MENTEE).first()
    if host is None or robert is None or len(seniors) < 2 or len(juniors) < 2:
        return {"circles": 0}
    taught = ProgramTopic.objects.filter(program=program, direction=Direction.JUNIOR_TEACHES)
    mine = set(Expertise.objects.filter(profile__user=mentor, can_teach=True)
               .values_list("topic_id", flat=True))
    topic = (taught.filter(topic_id__in=mine).first() or taught.first())
    topic = topic.topic if topic else None
    now = timezone.now()
    anchor = history_anchor(now)
    quiet = logging.getLogger("circles.services")
    level = quiet.level
    quiet.setLevel(logging.WARNING)
    try:
        with messages.notices_not_queued():
            learning = _learning(program, host, [robert, *seniors], topic, anchor, people)
            peer = _peer(program, juniors, host, anchor, people)
    finally:
        quiet.setLevel(level)
    return {"circles": 2, "learning": learning.pk, "peer": peer.pk}


def _learning(program, host, members, topic, anchor: dt.datetime, people: dict) -> Circle:
    name = f"{topic.name} for the leadership team" if topic else "Digital basics for the leadership team"
    circle = services.circle_create(
        program=program, by=people.get("hr"), name=name, kind=Circle.Kind.LEARNING, hosts=[host],
        members=members, places=6, cadence_weeks=2, topics=[topic] if topic else [],
        purpose="One junior teaches a small group of seniors the basics together, hands on.")
    aisha = host.user
    # Last week's Wednesday, 14:00 UTC: booked a week before, answered, held, noted, rated.
    start = _at(anchor - dt.timedelta(days=5), 14)
    booked = start - dt.timedelta(days=7)
    link = "https://meet.flipside.example/circle-ai"
    held = services.session_book(circle=circle, booker=aisha, starts_at=start,
                                 ends_at=start + dt.timedelta(hours=1), places=4, mode="video",
                                 video_link=link, topic=topic, now=booked)
    for index, member in enumerate(members):
        services.rsvp_set(session=held, user=member.user, answer="yes" if index < 3 else "no",
                          now=booked + dt.timedelta(hours=index + 1))
    after = start + dt.timedelta(hours=1)
    services.attendance_record(session=held, user=aisha, attended_ids=[m.user_id for m in members[:3]],
                               now=after)
    services.circle_note_save(
        session=held, author=aisha, now=after, topics=[topic] if topic else [],
        shared_summary="We wrote prompts for three real tasks from the group's week and compared the "
                       "answers. Next time: checking the output, and when not to use it.",
        reflection="Three seniors at once is harder than one: I should prepare a handout next time.",
        actions=[(members[0].user, "Try a prompt on one real e-mail"), (aisha, "Send the handout")])
    for member in members[:3]:
        services.feedback_save(session=held, user=member.user, rating=5 if member == members[0] else 4,
                               now=after + dt.timedelta(hours=2))
    # Next week's Wednesday: booked, places still open (Robert can say yes in the demo).
    upcoming = _at(anchor + dt.timedelta(days=9), 14)
    services.session_book(circle=circle, booker=aisha, starts_at=upcoming,
                          ends_at=upcoming + dt.timedelta(hours=1), places=3, mode="video",
                          video_link=link, topic=topic)
    return circle


def _peer(program, juniors, aisha_enrollment, anchor: dt.datetime, people: dict) -> Circle:
    circle = services.circle_create(
        program=program, by=people.get("hr"), name="Junior mentors' peer circle", kind=Circle.Kind.PEER,
        hosts=[juniors[0]], members=[aisha_enrollment, *juniors[1:]], places=6, cadence_weeks=4,
        purpose="Junior mentors compare notes on mentoring seniors: what works, what to try next.")
    start = _at(anchor + dt.timedelta(days=10), 12)
    place = ({"mode": "video", "video_link": "https://meet.flipside.example/peer-circle"}
             if program.meeting_modes == "video"
             else {"mode": "in_person", "location": "Learning lounge, 2nd floor"})
    services.session_book(circle=circle, booker=juniors[0].user, starts_at=start,
                          ends_at=start + dt.timedelta(minutes=45), places=6, **place)
    return circle

"""Demo sessions for `seed_demo`: past held sessions with two-way logs, a few cancellations and
reschedules by each role, and upcoming confirmed sessions.

Everything goes through the real services (with the clock set back), so the demo data obeys the
same rules as real use. Aisha (mentor) and Robert (mentee) get 3 held sessions and 1 upcoming.
The past is laid out from the start of the current week (programs.demo.history_anchor), so the
dashboards' weekly figures are the same on every day of the week.
Deterministic and idempotent: nothing happens when the running program already has sessions.
"""

from __future__ import annotations

import datetime as dt
import logging
import random

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from meetings import demo_commitment, services
from meetings.models import ActionItem, Meeting
from pairing.models import Pair
from programs.demo import history_anchor
from programs.models import Direction, ProgramTopic, Topic, TopicProposal

SUMMARIES = [
    "We set up a sandbox account together and walked through the first three services. Next time: "
    "costs and who approves them.",
    "Tried prompt writing on a real sales e-mail; agreed on a checklist for checking the output. "
    "In return we talked through how a pricing decision gets made at board level.",
    "Looked at our LinkedIn presence and what a good post looks like. Then a long discussion of how "
    "to handle a difficult stakeholder — very useful.",
    "Short session: reviewed last time's action items, both done. Planned a shadowing day.",
    "Automated a weekly report with a spreadsheet script. Talked about career paths in sales.",
]
MENTOR_REFLECTION = ("I went too fast on the technical part and noticed Robert was lost for a moment. "
                     "Slow down and ask more questions next time.")
ACTIONS = [
    "Share the slides from today", "Try the tool on one real task", "Read the article on pricing",
    "Book a shadowing afternoon", "Draft a first LinkedIn post",
]
GOAL_NOTES = ["Getting more confident.", "Clear progress this time.", "Still early days, but useful."]
CANCEL_REASONS = {"mentor": "Release deadline moved; I can't make it.",
                  "mentee": "Customer escalation, sorry — let's find another slot."}
RESCHEDULE_REASONS = {"mentor": "Team offsite that day.", "mentee": "Board meeting was moved onto this slot."}


def _meeting_hour(pair: Pair, day: dt.datetime) -> int:
    """A UTC hour inside both people's working day (9–17 local) on ``day`` when there is one."""
    day = day.replace(minute=0, second=0, microsecond=0)
    for hour in range(6, 21):
        moment = day.replace(hour=hour)
        if all(9 <= moment.astimezone(u.zone).hour <= 16 for u in (pair.mentor.user, pair.mentee.user)):
            return hour
    return 14


def _weekday(moment: dt.datetime) -> dt.datetime:
    while moment.weekday() >= 5:
        moment += dt.timedelta(days=1)
    return moment


def _place(pair: Pair, index: int) -> dict[str, str]:
    if index % 3 == 2 and pair.program.meeting_modes != "video":
        return {"mode": "in_person", "location": "Café, 3rd floor"}
    return {"mode": "video", "video_link": f"https://meet.flipside.example/pair-{pair.pk}"}


def _menu_topic(pair: Pair, index: int) -> ProgramTopic | None:
    """A topic from the program's menu for the session (agendas and kits show in the demo)."""
    menu = [t for t in _MENU.get(pair.program_id, []) if t.has_kit] or _MENU.get(pair.program_id, [])
    return menu[index % len(menu)] if menu else None


_MENU: dict[int, list[ProgramTopic]] = {}


def _book(pair: Pair, start: dt.datetime, *, proposer, confirmer, index: int) -> Meeting:
    """Propose one time and confirm it, as of three days before the start.

    The demo confirms the out-of-hours warning: published availability may not cover every demo time
    (the times lie inside both people's 9–17 day, never at night)."""
    minutes = pair.program.session_minutes
    then = start - dt.timedelta(days=3)
    meeting = services.meeting_propose(pair=pair, proposer=proposer, now=then,
                                       slots_utc=[(start, start + dt.timedelta(minutes=minutes))],
                                       **_place(pair, index), topic=_menu_topic(pair, index),
                                       hours_confirmed=True)
    return services.meeting_confirm(meeting=meeting, user=confirmer, slot_id=meeting.slots.get().pk, now=then)


def _log(meeting: Meeting, *, rng: random.Random, topics: dict[str, list[Topic]], reflect: bool,
         index: int) -> None:
    pair = meeting.pair
    after = meeting.ends_at + dt.timedelta(hours=2)
    services.meeting_mark(meeting=meeting, user=pair.mentee.user, outcome=Meeting.Status.HELD, now=after)
    due = after.date() + dt.timedelta(days=10)
    services.session_log_save(
        meeting=meeting, author=pair.mentor.user, now=after,
        topics=rng.sample(topics["mentor"], min(2, len(topics["mentor"]))),
        shared_summary=SUMMARIES[index % len(SUMMARIES)], summary_revision=0,
        reflection=MENTOR_REFLECTION if reflect else None,
        goal_note=rng.choice(GOAL_NOTES), goal_rating=rng.randint(2, 4),
        action_items=[(ACTIONS[index % len(ACTIONS)], pair.mentor.user, due)])
    services.session_log_save(
        meeting=meeting, author=pair.mentee.user, now=after + dt.timedelta(hours=1),
        topics=rng.sample(topics["mentee"], min(1, len(topics["mentee"]))),
        goal_note=rng.choice(GOAL_NOTES), goal_rating=rng.randint(2, 5),
        action_items=[(ACTIONS[(index + 2) % len(ACTIONS)], pair.mentee.user, due)])


# Sessions held by the pairs that are not the demo pair, by pair number: every pair meets in the
# first slot, fewer and fewer in the later ones, and still four pairs (with the demo pair) in the last.
HELD = (4, 3, 2)
SLOTS = 4


def _seed_pair(pair: Pair, *, number: int, is_demo: bool, now: dt.datetime, anchor: dt.datetime,
               rng: random.Random, topics: dict[str, list[Topic]], reflect: bool) -> None:
    """The pair's history, laid out from ``anchor`` (this week's Monday, UTC), and what lies ahead.

    Every pair meets in the same weeks (one every cadence, the last one ``cadence`` before this
    week), each on its own weekday from Monday to Thursday: the dashboard counts sessions per UTC
    week and holds back a week met by fewer than k people, so each week with sessions has several
    pairs in it, and the weeks look the same whatever day the demo is seeded on.
    """
    mentor, mentee = pair.mentor.user, pair.mentee.user
    cadence = dt.timedelta(weeks=pair.program.cadence_weeks)
    hour = dt.timedelta(hours=_meeting_hour(pair, anchor))
    slots = [anchor - (SLOTS - i) * cadence for i in range(SLOTS)]
    # Aisha and Robert are on track: they met in the last three slots (on Tuesdays).
    held = 3 if is_demo else HELD[number % len(HELD)]
    day = dt.timedelta(days=1 if is_demo else number % 4)
    starts = [week + day + hour for week in (slots[-held:] if is_demo else slots[:held])]
    for index, start in enumerate(starts):
        proposer, confirmer = (mentor, mentee) if index % 2 == 0 else (mentee, mentor)
        meeting = _book(pair, start, proposer=proposer, confirmer=confirmer, index=index)
        if is_demo and index == 1:
            # Robert moved this one by a day (to a Wednesday, the same week), two days ahead.
            _move(meeting, by=mentee, to=start + dt.timedelta(days=1),
                  reason=RESCHEDULE_REASONS["mentee"], now=start - dt.timedelta(days=2))
        _log(meeting, rng=rng, topics=topics, reflect=reflect, index=index + number)
    # A few cancellations and reschedules by each role, for the dashboard's "by role" counts.
    role = "mentee" if number % 4 in (0, 1) else "mentor"
    if not is_demo and number % 2 == 1:
        # The slot after the last session, or last week's when that slot is this week: in the past.
        target = slots[held] + day + hour if held < SLOTS else anchor - dt.timedelta(weeks=1) + day + hour
        meeting = _book(pair, target, proposer=mentor, confirmer=mentee, index=number)
        services.meeting_cancel(meeting=meeting, user=mentee if role == "mentee" else mentor,
                                reason=CANCEL_REASONS[role], now=target - dt.timedelta(days=1))
    # Upcoming sessions (placed from now, so they are ahead): the demo pair always, most others too.
    if not is_demo and number % 4 == 1:
        return
    upcoming = _weekday((now + dt.timedelta(days=3 + number % 5)).replace(
        hour=hour.seconds // 3600, minute=0, second=0, microsecond=0))
    if pair.program.ends_on is not None and upcoming.date() > pair.program.ends_on:
        return
    meeting = _book(pair, upcoming, proposer=mentor, confirmer=mentee, index=number)
    if not is_demo and number % 2 == 0:
        _move(meeting, by=mentor if role == "mentor" else mentee, reason=RESCHEDULE_REASONS[role],
              to=_weekday(upcoming + dt.timedelta(days=1)), now=upcoming - dt.timedelta(days=2))


def _move(meeting: Meeting, *, by, to: dt.datetime, reason: str, now: dt.datetime) -> None:
    services.meeting_reschedule(meeting=meeting, user=by, reason=reason, starts_at=to,
                                ends_at=to + (meeting.ends_at - meeting.starts_at), now=now,
                                hours_confirmed=True)
    meeting.refresh_from_db()


@transaction.atomic
def seed_meetings(people: dict, programs: dict, pairing: dict | None = None) -> dict:
    """Create demo sessions in the running program. Returns {"meetings": how many were created}."""
    running = programs.get("running")
    if running is None or Meeting.objects.filter(pair__program=running).exists():
        return {"meetings": 0}
    rng = random.Random(20261125)  # noqa: S311 - demo data
    now = timezone.now()
    anchor = history_anchor(now)
    topics = {"mentor": [], "mentee": []}
    menu = list(ProgramTopic.objects.filter(program=running).select_related("topic")
                .order_by("direction", "id"))
    for row in menu:
        topics["mentor" if row.direction == Direction.JUNIOR_TEACHES else "mentee"].append(row.topic)
    _MENU[running.pk] = menu
    pairs = list(Pair.objects.filter(program=running, status=Pair.Status.ACTIVE)
                 .select_related("program", "mentor__user", "mentee__user").order_by("id"))
    demo_mentor, demo_mentee = people.get("mentor"), people.get("mentee")
    quiet = logging.getLogger("meetings.services")
    level = quiet.level
    quiet.setLevel(logging.WARNING)  # dozens of demo bookings are not worth a log line each
    try:
        with services.notices_not_queued():  # demo history is not news: nobody gets messages about it
            _seed_all(pairs, demo_mentor=demo_mentor, demo_mentee=demo_mentee, now=now, anchor=anchor,
                      rng=rng, topics=topics)
            # The commitment guard and a recurring slot (issue 18, item 2).
            demo_pair = next((p for p in pairs
                              if (p.mentor.user, p.mentee.user) == (demo_mentor, demo_mentee)), None)
            demo_commitment.seed_commitment(pairs, demo_pair=demo_pair, now=now, anchor=anchor,
                                            hour_of=_meeting_hour)
    finally:
        quiet.setLevel(level)
    # A topic Aisha proposed for the menu waits for HR (no message: the demo's history is not news).
    if demo_mentor is not None:
        TopicProposal.objects.get_or_create(
            program=running, name="Podcasts and audio for leaders", defaults={
                "proposed_by": demo_mentor, "direction": Direction.JUNIOR_TEACHES,
                "why": "Many of our younger customers discover brands through podcasts."})
    # Older action items were done long ago; the latest ones are still open.
    ActionItem.objects.filter(pair__program=running, due_on__lt=anchor.date() - dt.timedelta(days=7)).update(
        done_at=anchor - dt.timedelta(days=8))
    return {"meetings": Meeting.objects.filter(pair__program=running).count()}


def _seed_all(pairs: list[Pair], *, demo_mentor, demo_mentee, now: dt.datetime, anchor: dt.datetime,
              rng: random.Random, topics: dict[str, list[Topic]]) -> None:
    for number, pair in enumerate(pairs):
        is_demo = pair.mentor.user == demo_mentor and pair.mentee.user == demo_mentee
        try:
            with transaction.atomic():
                _seed_pair(pair, number=number, is_demo=is_demo, now=now, anchor=anchor, rng=rng,
                           topics=topics, reflect=pair.mentor.user == demo_mentor)
        except ValidationError:
            # A person in two pairs may clash with their other pair's times: skip, it is only a demo.
            continue

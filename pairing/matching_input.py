"""Build the matching engine's columnar inputs from the database.

A constant number of queries whatever the size of the program: the whole organisation's
manager ids (reporting lines reach through people who are not enrolled), the enrolments,
training, live pairs, exclusions, then expertise, interests, availability and languages for
the people involved, each in one query. Arrays are filled with NumPy indexing, not loops
over people.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from pairing import matching
from pairing.models import (
    AvailabilityWindow,
    Enrollment,
    Expertise,
    LearningInterest,
    Pair,
    PairExclusion,
    Profile,
    TrainingCompletion,
    language_key,
)
from pairing.rules import pair_rule_problems
from programs.models import Direction, Program, ProgramTopic, Resource

MINUTES_PER_WEEK = 7 * 24 * 60
# An hour slot counts as available when the person's windows cover at least this much of it.
MIN_MINUTES_IN_SLOT = 30


class MatchingInputError(Exception):
    """The data cannot be matched as it stands; the message tells HR what to fix."""


@dataclass
class Pool:
    """Who takes part in a matching run, and what is already decided."""

    mentors: list[Enrollment]
    mentees: list[Enrollment]
    capacity: dict[int, int]  # mentor enrolment id -> mentees they can still take
    locked: list[tuple[int, int]]  # (mentor enrolment id, mentee enrolment id) of locked HR drafts
    forbidden: list[tuple[int, int]]
    skipped: list[dict] = field(default_factory=list)  # unmatched entries for people left out
    managers: dict[int, int | None] = field(default_factory=dict)


@dataclass
class EngineInput:
    mentors: matching.Side
    mentees: matching.Side
    org: matching.Org
    rules: matching.Rules


def _entry(enrollment: Enrollment, reason: str) -> dict:
    return {
        "enrollment_id": enrollment.pk,
        "name": enrollment.user.display_name,
        "side": enrollment.role,
        "reason": reason,
    }


def pool_load(program: Program) -> Pool:
    """Approved enrolments whose required training is done, minus people already placed.

    Mentees in a published live pair are out; mentors keep the capacity their published pairs
    leave. People in HR-locked drafts always take part. Everyone left out for a reason HR
    should know about (training, missing level, deactivated account) is in ``skipped``.
    """
    enrollments = list(
        Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED)
        .select_related("user")
        .order_by("pk")
    )
    required: dict[str, set[int]] = {Resource.Audience.MENTORS: set(), Resource.Audience.MENTEES: set()}
    for rid, audience in Resource.objects.filter(program=program, required_before_matching=True).values_list(
        "id", "audience"
    ):
        for key in required:
            if audience in (key, Resource.Audience.BOTH):
                required[key].add(rid)
    done: dict[int, set[int]] = {}
    for eid, rid in TrainingCompletion.objects.filter(enrollment__program=program).values_list(
        "enrollment_id", "resource_id"
    ):
        done.setdefault(eid, set()).add(rid)
    published_load: dict[int, int] = {}
    placed_mentees: set[int] = set()
    locked: list[tuple[int, int]] = []
    for mentor_id, mentee_id, is_locked, published_at in Pair.objects.filter(
        program=program, status__in=Pair.LIVE
    ).values_list("mentor_id", "mentee_id", "locked", "published_at"):
        if published_at is not None:
            published_load[mentor_id] = published_load.get(mentor_id, 0) + 1
            placed_mentees.add(mentee_id)
        elif is_locked:
            locked.append((mentor_id, mentee_id))
    forbidden = list(PairExclusion.objects.filter(program=program).values_list("mentor_id", "mentee_id"))
    managers = dict(User.objects.values_list("id", "manager_id"))

    in_lock = {m for m, _e in locked} | {e for _m, e in locked}
    pool = Pool(mentors=[], mentees=[], capacity={}, locked=locked, forbidden=forbidden, managers=managers)
    for enrollment in enrollments:
        if enrollment.is_mentor:
            left = enrollment.capacity - published_load.get(enrollment.pk, 0)
            if left <= 0:
                continue
        elif enrollment.pk in placed_mentees:
            continue
        reason = _skip_reason(enrollment, required, done, locked=enrollment.pk in in_lock)
        if reason:
            pool.skipped.append(_entry(enrollment, reason))
            continue
        if enrollment.is_mentor:
            pool.mentors.append(enrollment)
            pool.capacity[enrollment.pk] = left
        else:
            pool.mentees.append(enrollment)
    _check_locks(program, pool)
    return pool


def _skip_reason(
    enrollment: Enrollment, required: dict[str, set[int]], done: dict[int, set[int]], *, locked: bool
) -> str:
    if not enrollment.user.is_active:
        return _("account deactivated")
    if enrollment.user.level is None:
        return _("level not on record")
    if not locked and required[enrollment.resource_audience] - done.get(enrollment.pk, set()):
        return _("training not finished")
    return ""


def _lock_blocker(pool: Pool, enrollment: Enrollment) -> str:
    skipped = {row["enrollment_id"]: row["reason"] for row in pool.skipped}
    if enrollment.pk in skipped:
        return skipped[enrollment.pk]
    if enrollment.is_mentor:
        return _("already has all the mentees they can take")
    return _("already in a published pair")


def _check_locks(program: Program, pool: Pool) -> None:
    """Locked drafts must still obey the hard rules and capacity (HR data may have changed)."""
    if not pool.locked:
        return
    by_id = {e.pk: e for e in (*pool.mentors, *pool.mentees)}
    excluded = set(pool.forbidden)
    per_mentor: dict[int, int] = {}
    for mentor_id, mentee_id in pool.locked:
        mentor, mentee = by_id.get(mentor_id), by_id.get(mentee_id)
        if mentor is None or mentee is None:
            missing = Enrollment.objects.select_related("user").get(pk=mentee_id if mentor else mentor_id)
            raise MatchingInputError(
                _(
                    "A locked pair includes %(name)s, who cannot be matched right now (%(why)s). "
                    "Unlock that pair and run again."
                )
                % {"name": missing.user.display_name, "why": _lock_blocker(pool, missing)}
            )
        problems = pair_rule_problems(
            program=program, mentor=mentor, mentee=mentee, managers=pool.managers, excluded=excluded
        )
        if problems:
            raise MatchingInputError(
                _("The locked pair %(a)s + %(b)s now breaks a rule: %(why)s Unlock it and run again.")
                % {"a": mentor.user.display_name, "b": mentee.user.display_name, "why": " ".join(problems)}
            )
        per_mentor[mentor_id] = per_mentor.get(mentor_id, 0) + 1
        if per_mentor[mentor_id] > pool.capacity[mentor_id]:
            raise MatchingInputError(
                _(
                    "%(name)s has more locked mentees than free places. "
                    "Unlock one of their pairs and run again."
                )
                % {"name": mentor.user.display_name}
            )


# --- Arrays -------------------------------------------------------------------------------


def utc_offset_hours(zone_name: str, at: dt.datetime) -> float:
    try:
        zone = zoneinfo.ZoneInfo(zone_name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return 0.0
    offset = at.astimezone(zone).utcoffset()
    return offset.total_seconds() / 3600 if offset else 0.0


def availability_slots(
    person: np.ndarray,
    start_minute: np.ndarray,
    end_minute: np.ndarray,
    offset_minutes: np.ndarray,
    n_people: int,
) -> np.ndarray:
    """UTC hour-of-week availability, (n_people, 168) bool, from local weekly windows.

    ``start_minute``/``end_minute`` are minutes from Monday 00:00 in the person's zone;
    ``offset_minutes`` is each window's owner's UTC offset. Windows that cross the end of
    the week in UTC wrap around to Monday.
    """
    out = np.zeros((n_people, matching.HOURS_PER_WEEK), dtype=np.int32)
    if len(person) == 0:
        return out.astype(np.bool_)
    start = np.mod(start_minute - offset_minutes, MINUTES_PER_WEEK)
    end = start + (end_minute - start_minute)
    wraps = end > MINUTES_PER_WEEK
    # Split wrapping windows into [start, week end) and [0, end - week).
    person_all = np.concatenate([person, person[wraps]])
    start_all = np.concatenate([start, np.zeros(int(wraps.sum()), dtype=start.dtype)])
    end_all = np.concatenate([np.minimum(end, MINUTES_PER_WEEK), end[wraps] - MINUTES_PER_WEEK])
    slot_start = np.arange(matching.HOURS_PER_WEEK) * 60
    overlap = np.minimum(end_all[:, None], slot_start[None, :] + 60) - np.maximum(
        start_all[:, None], slot_start[None, :]
    )
    np.clip(overlap, 0, None, out=overlap)
    np.add.at(out, person_all, overlap.astype(np.int32))
    return out >= MIN_MINUTES_IN_SLOT


def _norm_language(name: str) -> str:
    return language_key(name)


def engine_input_build(
    *,
    program: Program,
    mentors: list[Enrollment],
    mentees: list[Enrollment],
    capacity: dict[int, int],
    locked: list[tuple[int, int]] = (),
    forbidden: list[tuple[int, int]] = (),
    managers: dict[int, int | None] | None = None,
) -> EngineInput:
    """The engine's ``Side``/``Org``/``Rules`` for these enrolments (users already loaded)."""
    now = timezone.now()
    program_topics = list(ProgramTopic.objects.filter(program=program).select_related("topic"))
    topic_ids: list[int] = []
    topic_names: list[str] = []
    directions: dict[int, set[str]] = {}
    for pt in program_topics:
        if pt.topic_id not in directions:
            topic_ids.append(pt.topic_id)
            topic_names.append(pt.topic.name)
            directions[pt.topic_id] = set()
        directions[pt.topic_id].add(pt.direction)
    column = {tid: i for i, tid in enumerate(topic_ids)}
    n_topics = len(topic_ids)
    junior = np.array([Direction.JUNIOR_TEACHES in directions[t] for t in topic_ids], dtype=np.bool_)
    senior = np.array([Direction.SENIOR_TEACHES in directions[t] for t in topic_ids], dtype=np.bool_)

    if managers is None:
        managers = dict(User.objects.values_list("id", "manager_id"))
    people = list(managers)
    index = {uid: i for i, uid in enumerate(people)}
    manager_arr = np.array(
        [index.get(managers[uid], -1) if managers[uid] is not None else -1 for uid in people], dtype=np.int64
    )

    everyone = [*mentors, *mentees]
    user_ids = sorted({e.user_id for e in everyone})
    row_of_user = {uid: i for i, uid in enumerate(user_ids)}
    n_users = len(user_ids)
    teach = np.zeros((n_users, n_topics))
    learn = np.zeros((n_users, n_topics))
    rows = Expertise.objects.filter(
        profile__user_id__in=user_ids, topic_id__in=topic_ids, can_teach=True
    ).values_list("profile__user_id", "topic_id", "proficiency")
    if rows:
        u, t, p = zip(*rows, strict=True)
        teach[[row_of_user[x] for x in u], [column[x] for x in t]] = np.array(p) / 5.0
    rows = LearningInterest.objects.filter(profile__user_id__in=user_ids, topic_id__in=topic_ids).values_list(
        "profile__user_id", "topic_id", "priority"
    )
    if rows:
        u, t, p = zip(*rows, strict=True)
        learn[[row_of_user[x] for x in u], [column[x] for x in t]] = (6 - np.array(p)) / 5.0

    users = {e.user_id: e.user for e in everyone}
    offsets = np.array([utc_offset_hours(users[uid].time_zone, now) for uid in user_ids])
    rows = AvailabilityWindow.objects.filter(profile__user_id__in=user_ids).values_list(
        "profile__user_id", "weekday", "start", "end"
    )
    if rows:
        u, wd, st, en = zip(*rows, strict=True)
        person = np.array([row_of_user[x] for x in u], dtype=np.int64)
        day = np.array(wd, dtype=np.int64) * 1440
        start = day + np.array([t.hour * 60 + t.minute for t in st], dtype=np.int64)
        # 23:59 is how a form says "until midnight".
        end = day + np.array(
            [1440 if (t.hour, t.minute) == (23, 59) else t.hour * 60 + t.minute for t in en], dtype=np.int64
        )
        availability = availability_slots(
            person, start, end, np.round(offsets[person] * 60).astype(np.int64), n_users
        )
    else:
        availability = np.zeros((n_users, matching.HOURS_PER_WEEK), dtype=np.bool_)

    spoken: dict[int, set[str]] = {}
    display: dict[str, str] = {}
    for uid, languages in Profile.objects.filter(user_id__in=user_ids).values_list("user_id", "languages"):
        keys = set()
        for name in languages or []:
            key = _norm_language(str(name))
            if key:
                keys.add(key)
                tidy = " ".join(str(name).split())
                display.setdefault(key, tidy[:1].upper() + tidy[1:])
        spoken[uid] = keys
    language_keys = sorted(display)
    lang_col = {k: i for i, k in enumerate(language_keys)}
    languages = np.zeros((n_users, len(language_keys)), dtype=np.bool_)
    for uid, keys in spoken.items():
        for key in keys:
            languages[row_of_user[uid], lang_col[key]] = True

    departments = sorted({users[uid].department for uid in user_ids if users[uid].department})
    dept_code = {d: i for i, d in enumerate(departments)}

    def side(enrollments: list[Enrollment], *, is_mentor: bool) -> matching.Side:
        r = np.array([row_of_user[e.user_id] for e in enrollments], dtype=np.int64)
        teach_mask = junior if is_mentor else senior
        learn_mask = senior if is_mentor else junior
        return matching.Side(
            ids=np.array([e.pk for e in enrollments], dtype=np.int64),
            names=[e.user.display_name for e in enrollments],
            person=np.array([index[e.user_id] for e in enrollments], dtype=np.int64),
            level=np.array([e.user.level or 0 for e in enrollments], dtype=np.int64),
            department=np.array([dept_code.get(e.user.department, -1) for e in enrollments], dtype=np.int64),
            teach=teach[r] * teach_mask if len(r) else np.zeros((0, n_topics)),
            learn=learn[r] * learn_mask if len(r) else np.zeros((0, n_topics)),
            utc_offset=offsets[r] if len(r) else np.zeros(0),
            availability=availability[r]
            if len(r)
            else np.zeros((0, matching.HOURS_PER_WEEK), dtype=np.bool_),
            languages=languages[r] if len(r) else np.zeros((0, len(language_keys)), dtype=np.bool_),
            capacity=np.array([capacity.get(e.pk, e.capacity) for e in enrollments], dtype=np.int64)
            if is_mentor
            else None,
        )

    rules = matching.Rules(
        topic_names=topic_names,
        language_names=[display[k] for k in language_keys],
        min_level_gap=program.min_level_gap,
        forbid_reporting_line=True,
        forbid_same_department=program.forbid_same_department,
        weights=matching.Weights(**program.matching_weights()),
        locked=tuple(locked),
        forbidden=tuple(forbidden),
    )
    return EngineInput(
        mentors=side(mentors, is_mentor=True),
        mentees=side(mentees, is_mentor=False),
        org=matching.Org(manager=manager_arr),
        rules=rules,
    )


def find_manager_loop(managers: dict[int, int | None]) -> list[int]:
    """User ids forming a loop in the manager chain (bad imported data), or [] when none."""
    state: dict[int, int] = {}  # 1 = on the current path, 2 = reaches the top
    for start in managers:
        path: list[int] = []
        current: int | None = start
        while current is not None and state.get(current) is None:
            state[current] = 1
            path.append(current)
            current = managers.get(current)
        if current is not None and state.get(current) == 1:
            return path[path.index(current) :]
        for uid in path:
            state[uid] = 2
    return []


def score_pairs(
    *,
    program: Program,
    pairs: list[tuple[Enrollment, Enrollment]],
    managers: dict[int, int | None] | None = None,
) -> dict[tuple[int, int], matching.ProposedPair]:
    """Score and explain HR's own pairs with the engine, by passing them as locks.

    The pairs must already satisfy the hard rules (check with ``rules.pair_rule_problems``).
    """
    mentors = list({m.pk: m for m, _e in pairs}.values())
    mentees = list({e.pk: e for _m, e in pairs}.values())
    load: dict[int, int] = {}
    for m, _e in pairs:
        load[m.pk] = load.get(m.pk, 0) + 1
    data = engine_input_build(
        program=program,
        mentors=mentors,
        mentees=mentees,
        capacity=load,
        locked=[(m.pk, e.pk) for m, e in pairs],
        managers=managers,
    )
    result = matching.match(data.mentors, data.mentees, data.org, data.rules)
    return {(p.mentor_id, p.mentee_id): p for p in result.pairs}


LOCKED_PREFIX = "Locked by HR. "


def plain_explanation(proposal: matching.ProposedPair) -> str:
    """The engine's explanation without its "locked" prefix (the page shows a badge instead)."""
    text = proposal.explanation
    return text[len(LOCKED_PREFIX) :] if text.startswith(LOCKED_PREFIX) else text


# The engine's time-zone clause ("time zones 6 hours apart") and its language clause, which comes last.
_TIME_ZONE_CLAUSE = re.compile(r"time zones [0-9.]+ hours? apart", re.IGNORECASE)
_LANGUAGE_CLAUSE = re.compile(r"(no shared language|both speak |a shared language)", re.IGNORECASE)


def explanation_now(explanation: str, *, zones: tuple[str, str], now: dt.datetime) -> str:
    """A stored explanation with its time-zone clause worked out again from the two current zones.

    The explanation is written once, when the engine proposes the pair; the rest of it says why
    they were matched, but the time difference is read next to each person's current zone and must
    not contradict it after someone moves (or daylight saving starts in one of the two places).
    """
    if not explanation:
        return explanation
    clauses = explanation.rstrip(".").split("; ")
    at = next((i for i, c in enumerate(clauses) if _TIME_ZONE_CLAUSE.fullmatch(c)), None)
    if at is not None:
        del clauses[at]
    elif clauses and _LANGUAGE_CLAUSE.match(clauses[-1]):
        at = len(clauses) - 1
    else:
        at = len(clauses)
    gap = abs(utc_offset_hours(zones[0], now) - utc_offset_hours(zones[1], now))
    if gap:
        clauses.insert(at, f"time zones {matching._hours(gap)} apart")
    text = "; ".join(clauses)
    return text[:1].upper() + text[1:] + "."

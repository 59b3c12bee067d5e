"""Demo profiles, enrolments and pairs for `seed_demo`.

About 30 people get a profile (expertise, learning interests, availability, languages); 12
mentors and 12 mentees are approved in the running program, with training done, and the
matching engine pairs them (Aisha mentors Robert, locked): most pairs are active, one offer
waits for answers and one mentee is still unpaired. A few people have applied to the
program that is enrolling. Deterministic (a seeded random generator) and idempotent: rows
that exist are left alone.
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from pairing import matching
from pairing.matching_input import engine_input_build, plain_explanation
from pairing.models import (
    AvailabilityWindow,
    Enrollment,
    Expertise,
    LearningInterest,
    Pair,
    Profile,
    TrainingCompletion,
)
from programs.demo import history_anchor
from programs.models import Direction, Program, ProgramTopic, Resource

DOMAIN = "flipside.example"
EXTRA_LANGUAGES = {
    "Europe/Berlin": "German",
    "Europe/Madrid": "Spanish",
    "America/New_York": "Spanish",
    "Asia/Singapore": "Mandarin",
    "Europe/London": "French",
}
LEARN_GOALS = {
    "mentor": "I want to understand how senior leaders make decisions and how our market really works.",
    "mentee": "I want to use generative AI and our collaboration tools with confidence in my daily work.",
}
TEACH_GOALS = {
    "mentor": "I can show practical, everyday uses of the digital tools I work with.",
    "mentee": "I can share industry context, stakeholder management and career advice.",
}


def _people(people: dict) -> tuple[list[User], list[User], list[User]]:
    """(mentors, mentees, applicants), the named demo accounts first, chosen deterministically."""
    rng = random.Random(20261123)  # noqa: S311 - demo data
    named = {u.pk for u in people.values() if u is not None}
    everyone = list(User.objects.filter(email__endswith=f"@{DOMAIN}").exclude(pk__in=named).order_by("email"))
    juniors = [u for u in everyone if u.level is not None and u.level <= 4]
    seniors = [u for u in everyone if u.level is not None and 7 <= u.level <= 11]
    rng.shuffle(juniors)
    rng.shuffle(seniors)
    mentors = [people["mentor"], *juniors[:11]]
    mentees = [people["mentee"], *seniors[:11]]
    applicants = [*juniors[11:14], *seniors[11:13]]
    return mentors, mentees, applicants


def _seed_profiles(users: list[User], topics: dict[str, list[int]], rng: random.Random) -> None:
    """Give each person a profile with expertise, interests, availability and languages."""
    done = set(
        Profile.objects.filter(user__in=users, expertise__isnull=False).values_list("user_id", flat=True)
    )
    for user in users:
        if user.pk in done:
            continue
        junior = (user.level or 0) <= 5
        teach = topics[Direction.JUNIOR_TEACHES if junior else Direction.SENIOR_TEACHES]
        learn = topics[Direction.SENIOR_TEACHES if junior else Direction.JUNIOR_TEACHES]
        languages = ["English"]
        if user.time_zone in EXTRA_LANGUAGES and rng.random() < 0.6:
            languages.append(EXTRA_LANGUAGES[user.time_zone])
        profile, _created = Profile.objects.update_or_create(
            user=user, defaults={"languages": languages, "bio": f"{user.job_title} in {user.department}."}
        )
        Expertise.objects.bulk_create(
            [
                Expertise(profile=profile, topic_id=t, proficiency=rng.randint(3, 5), can_teach=True)
                for t in rng.sample(teach, min(3, len(teach)))
            ],
            ignore_conflicts=True,
        )
        LearningInterest.objects.bulk_create(
            [
                LearningInterest(profile=profile, topic_id=t, priority=i + 1)
                for i, t in enumerate(rng.sample(learn, min(3, len(learn))))
            ],
            ignore_conflicts=True,
        )
        days = sorted(rng.sample(range(5), 3))
        AvailabilityWindow.objects.bulk_create(
            [
                AvailabilityWindow(profile=profile, weekday=d, start=dt.time(h), end=dt.time(h + 3))
                for d, h in zip(days, [rng.choice([8, 9, 10, 13, 14]) for _ in days], strict=True)
            ]
        )


def _enrol(program: Program, user: User, role: str, status: str, hr: User, when: dt.datetime) -> Enrollment:
    enrollment = Enrollment.objects.filter(program=program, user=user).first()
    if enrollment is not None:
        return enrollment
    enrollment = Enrollment(
        program=program,
        user=user,
        role=role,
        status=status,
        agreement_version=program.current_agreement(),
        agreement_accepted_at=when,
        learn_goals=LEARN_GOALS[role],
        teach_goals=TEACH_GOALS[role],
        capacity=1,
        applied_at=when,
        decided_at=when + dt.timedelta(days=2) if status != Enrollment.Status.APPLIED else None,
        decided_by=hr if status != Enrollment.Status.APPLIED else None,
    )
    enrollment.full_clean()
    enrollment.save()
    return enrollment


def _training(program: Program, enrollments: list[Enrollment], when: dt.datetime) -> None:
    required = list(Resource.objects.filter(program=program, required_before_matching=True))
    TrainingCompletion.objects.bulk_create(
        [
            TrainingCompletion(enrollment=e, resource=r, completed_at=when)
            for e in enrollments
            for r in required
            if r.audience in (Resource.Audience.BOTH, e.resource_audience)
        ],
        ignore_conflicts=True,
    )


def _pair_running(program: Program, mentors: list[Enrollment], mentees: list[Enrollment], when) -> int:
    """Match with the engine (Aisha + Robert locked); most pairs active, one offer, one unpaired."""
    if Pair.objects.filter(program=program).exists():
        return 0
    data = engine_input_build(
        program=program,
        mentors=mentors,
        mentees=mentees,
        capacity={m.pk: m.capacity for m in mentors},
        locked=[(mentors[0].pk, mentees[0].pk)],
    )
    result = matching.match(data.mentors, data.mentees, data.org, data.rules)
    by_id = {e.pk: e for e in (*mentors, *mentees)}
    proposals = sorted(result.pairs, key=lambda p: (not p.locked, -p.score))
    rows = []
    for index, proposal in enumerate(proposals[:-1]):  # the last mentee stays unpaired
        offer = index == len(proposals) - 2  # and one offer is still waiting for answers
        accepted = Pair.Response.PENDING if offer else Pair.Response.ACCEPTED
        rows.append(
            Pair(
                program=program,
                mentor=by_id[proposal.mentor_id],
                mentee=by_id[proposal.mentee_id],
                status=Pair.Status.PROPOSED if offer else Pair.Status.ACTIVE,
                score=round(proposal.score, 4),
                explanation=plain_explanation(proposal),
                parts={k: round(v, 4) for k, v in proposal.parts.items()},
                locked=proposal.locked,
                published_at=when,
                created_at=when,
                mentor_response=Pair.Response.ACCEPTED if offer else accepted,
                mentee_response=accepted,
                mentor_responded_at=when + dt.timedelta(days=1),
                mentee_responded_at=None if offer else when + dt.timedelta(days=2),
                activated_at=None if offer else when + dt.timedelta(days=2),
            )
        )
    Pair.objects.bulk_create(rows)
    return len(rows)


@transaction.atomic
def seed_pairing(people: dict, programs: dict) -> dict:
    """Create (or find) demo profiles, enrolments and pairs. Returns counts of what was created."""
    rng = random.Random(20261124)  # noqa: S311 - demo data
    topics: dict[str, list[int]] = {Direction.JUNIOR_TEACHES: [], Direction.SENIOR_TEACHES: []}
    running, enrolling = programs.get("running"), programs.get("enrolling")
    source = running or enrolling
    if source is not None:
        for topic_id, direction in ProgramTopic.objects.filter(program=source).values_list(
            "topic_id", "direction"
        ):
            topics[direction].append(topic_id)
    mentors, mentees, applicants = _people(people)
    if topics[Direction.JUNIOR_TEACHES] and topics[Direction.SENIOR_TEACHES]:
        _seed_profiles([*mentors, *mentees, *applicants], topics, rng)
    now = timezone.now()
    # Past steps are placed from the start of the week (see programs.demo.history_anchor).
    anchor = history_anchor(now)
    created = {"pairs": 0, "enrollments": 0}
    before = Enrollment.objects.count()
    hr = people["hr"]
    if running is not None and running.current_agreement() is not None:
        started = anchor - dt.timedelta(weeks=15)
        mentor_rows = [
            _enrol(running, u, Enrollment.Role.MENTOR, Enrollment.Status.APPROVED, hr, started)
            for u in mentors
        ]
        mentee_rows = [
            _enrol(running, u, Enrollment.Role.MENTEE, Enrollment.Status.APPROVED, hr, started)
            for u in mentees
        ]
        _training(running, [*mentor_rows, *mentee_rows], started + dt.timedelta(days=3))
        created["pairs"] = _pair_running(running, mentor_rows, mentee_rows, anchor - dt.timedelta(weeks=9))
    if enrolling is not None and enrolling.current_agreement() is not None:
        applied = now - dt.timedelta(days=3)
        for user in applicants:
            role = Enrollment.Role.MENTOR if (user.level or 0) <= 4 else Enrollment.Role.MENTEE
            _enrol(enrolling, user, role, Enrollment.Status.APPLIED, hr, applied)
    created["enrollments"] = Enrollment.objects.count() - before
    return created

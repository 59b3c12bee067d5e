"""The six-pair program every figure test reads, with its numbers worked out by hand.

k = 3. Cadence: a session every 2 weeks, at most 6. Program starts Monday 5 January 2026; "now" is
Monday 2 March 2026, 12:00 UTC, so each pair (activated 5 January) is expected to have held 4.

People (applied in December 2025, approved 2 January):
  mentors m1–m3 Engineering, m4–m6 Marketing (level 3); mentees s1–s4 Sales, s5–s6 Finance (level 10);
  also in Finance: d1 (mentee) and d2 (mentor) declined, w1 (mentee, level 9) waitlisted.
  → eligible 15, applied 15, approved 12, matched 12, active 12; outcomes: approved 12,
    waitlisted 1, declined 2 (both small with k=3, hidden together).
Pairs p1..p6 = (m_i, s_i), all active, published 4 January 12:00 → median days to match 2.
Held sessions: 4, 4, 3, 3, 1, 0 (every two weeks from 12 January, 45 minutes) → 15 held,
  11.25 hours, 24 expected, 62.5 % of expected; on track (held ≥ 3): p1–p4; behind: p5, p6.
  Per week: 12 Jan 5 sessions, 26 Jan 4, 9 Feb 4, 23 Feb 2.
No-shows: one (p5, 2 February) → 2 people: fewer than 3.
Cancellations: by junior mentors 1 (m5), by senior mentees 4 (s6 twice, s5, s3: 3 people)
  → mentors small, mentees hidden to protect them, total 5.
Reschedules: mentors m1, m2, m4; mentees s1, s2, s3 → 3, 3, total 6.
Surveys: after-session invitations to s1–s4 and m1–m6 (10 people), answered by s1 5, s2 4, m1 4,
  m2 3, m3 4 → satisfaction 4.0 (5 people); fit (s1 5, s2 4, m1 3) 4.0; 5 of 10 answered (50 %).
  End of program: s1–s6 invited and answered recommendation 10, 10, 9, 8, 2, 5 → average 7.33;
  promoters 3 (50 %), passives 1 and detractors 2 hidden; overall 11 of 16 answered (68.75 %).
  Satisfaction by department: Engineering 3.67 (3 people) but hidden, because Sales (2 people)
  is fewer than 3 and would otherwise be total minus the rest.
Skills: s1–s3 learned Generative AI (2→4, 2→3, 2→3: +1.33); m1–m3 learned Industry knowledge
  (1→2, 1→2, 1→3: +1.33). Topics logged: Generative AI taught by mentors in p1–p3's 11 held
  sessions (learners s1–s3); Industry knowledge by the mentee in p1's 4 sessions (1 learner).
Goals: 3 sessions by 60 % of pairs (66.7 %: met), satisfaction 4 (met), seniors' gain 1 (met),
  juniors' gain 1.5 (not met), response rate 70 % (68.75 %: not met), recommendation 8 (not met),
  one qualitative goal.
"""

from __future__ import annotations

import pytest
import time_machine

from programs.models import Topic
from tests.evaluation import builders as b


@pytest.fixture
def frozen():
    with time_machine.travel(b.NOW, tick=False):
        yield b.NOW


@pytest.fixture
def six_pairs(db, frozen, lead) -> b.SixPairs:
    prog, q = b.program(k=3, leads=[lead])
    mentors = [b.person(prog, "mentor", department=d, name=f"Mentor {i + 1}")
               for i, d in enumerate(["Engineering"] * 3 + ["Marketing"] * 3)]
    mentees = [b.person(prog, "mentee", department=d, name=f"Mentee {i + 1}")
               for i, d in enumerate(["Sales"] * 4 + ["Finance"] * 2)]
    others = [b.person(prog, "mentee", department="Finance", status="declined", name="Declined 1"),
              b.person(prog, "mentor", department="Finance", status="declined", name="Declined 2"),
              b.person(prog, "mentee", department="Finance", status="waitlisted", level=9,
                       name="Waitlisted 1")]
    pairs = [b.pair(prog, m, s) for m, s in zip(mentors, mentees, strict=True)]
    sessions = [b.held(p, n) for p, n in zip(pairs, [4, 4, 3, 3, 1, 0], strict=True)]
    b.session(pairs[4], b.at(2026, 2, 2, 10), status="no_show")
    b.cancelled(pairs[4], "mentor", b.at(2026, 2, 9, 10))
    b.cancelled(pairs[5], "mentee", b.at(2026, 1, 12, 10))
    b.cancelled(pairs[5], "mentee", b.at(2026, 1, 26, 10))
    b.cancelled(pairs[4], "mentee", b.at(2026, 2, 16, 10))
    b.cancelled(pairs[2], "mentee", b.at(2026, 2, 23, 10))
    moves = ((0, "mentor"), (1, "mentor"), (3, "mentor"), (0, "mentee"), (1, "mentee"), (2, "mentee"))
    for index, role in moves:
        b.event(sessions[index][1], role, "rescheduled")
    # After-session surveys on each pair's first session.
    answers = {mentees[0]: (5, 5), mentees[1]: (4, 4), mentors[0]: (4, 3), mentors[1]: (3, None),
               mentors[2]: (4, None)}
    for p, first in zip(pairs[:4], sessions[:4], strict=True):
        for person in (p.mentor, p.mentee):
            invitation = b.invite(person, "after_session", meeting=first[0])
            if person in answers:
                sat, fit = answers[person]
                b.answer(invitation, {q.satisfaction: sat, **({q.fit: fit} if fit is not None else {})})
    for p in pairs[4:]:
        b.invite(p.mentor, "after_session", meeting=sessions[4][0])
    for person, score in zip(mentees, [10, 10, 9, 8, 2, 5], strict=True):
        b.answer(b.invite(person, "end_program"), {q.recommendation: score})
    ai = Topic.objects.create(name="Generative AI", usual_direction="junior_teaches")
    industry = Topic.objects.create(name="Industry knowledge", usual_direction="senior_teaches")
    for person, (before, after) in zip(mentees[:3], [(2, 4), (2, 3), (2, 3)], strict=True):
        b.skill(person, ai, "junior_teaches", before, after)
    for person, (before, after) in zip(mentors[:3], [(1, 2), (1, 2), (1, 3)], strict=True):
        b.skill(person, industry, "senior_teaches", before, after)
    b.skill(mentees[3], ai, "junior_teaches", 3, None)  # no end rating: not counted
    logs = []
    for index in range(3):
        for meeting in sessions[index]:
            logs.append(b.log(meeting, by_mentor=[ai], by_mentee=[industry] if index == 0 else []))
    b.goal(prog, "sessions_reached", "Pairs keep meeting", sessions=3, target=60)
    b.goal(prog, "satisfaction", "Sessions are valued", target=4)
    b.goal(prog, "skill_gain", "Seniors learn digital skills", direction="junior_teaches", target=1)
    b.goal(prog, "skill_gain", "Juniors learn the business", direction="senior_teaches", target="1.5")
    b.goal(prog, "response_rate", "People answer surveys", target=70)
    b.goal(prog, "recommendation", "People recommend it", target=8)
    b.goal(prog, "qualitative", "A culture of learning both ways")
    return b.SixPairs(program=prog, questions=q, mentors=mentors, mentees=mentees, pairs=pairs, others=others,
                      topics={"ai": ai, "industry": industry}, logs=logs)

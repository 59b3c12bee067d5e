"""Circle proposals: pure Python (no Django), so the grouping can be tested on its own.

* **Peer circles** gather junior mentors who started around the same time (same month) and mix
  departments: within a cohort, people are dealt round-robin by department into groups of
  ``PEER_MIN``..``PEER_MAX``, so each circle hears from as many parts of the organisation as it can.
* **Learning circles** start from what seniors want to learn: for each topic that at least
  ``LEARNING_MIN`` seniors listed (most wanted first), the junior with the strongest teachable
  expertise in it hosts up to ``LEARNING_MAX`` of them (highest priority first). Each senior and each
  host is proposed once, so proposals never compete for the same people.

Each proposal carries its reasons as data; the caller words them (translated) like pair proposals.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

PEER_MIN, PEER_MAX = 3, 8
LEARNING_MIN, LEARNING_MAX = 2, 8


@dataclass(frozen=True)
class Junior:
    id: int  # enrolment id
    name: str
    department: str
    started: date  # when they began mentoring in the program
    expertise: dict[int, int] = field(default_factory=dict)  # teachable topic id -> proficiency 1..5


@dataclass(frozen=True)
class Senior:
    id: int
    name: str
    interests: dict[int, int] = field(default_factory=dict)  # topic id -> priority (1 = most wanted)


@dataclass
class PeerProposal:
    members: list[Junior]
    cohort: date  # first day of the start month
    departments: list[str]


@dataclass
class LearningProposal:
    topic_id: int
    host: Junior
    proficiency: int
    members: list[Senior]
    wanted_by: int  # seniors who listed the topic (some may be in other circles)


def _split(n: int) -> list[int]:
    """Group sizes for n people, each PEER_MIN..PEER_MAX, as even as possible ([] if n < PEER_MIN)."""
    if n < PEER_MIN:
        return []
    groups = -(-n // PEER_MAX)
    base, extra = divmod(n, groups)
    return [base + 1] * extra + [base] * (groups - extra)


def peer_circles(juniors: list[Junior]) -> list[PeerProposal]:
    """Peer circles by start month, each mixing departments (round-robin by department)."""
    cohorts: dict[date, list[Junior]] = defaultdict(list)
    for junior in juniors:
        cohorts[junior.started.replace(day=1)].append(junior)
    proposals: list[PeerProposal] = []
    for cohort in sorted(cohorts):
        people = cohorts[cohort]
        sizes = _split(len(people))
        if not sizes:
            continue
        by_department: dict[str, list[Junior]] = defaultdict(list)
        for junior in sorted(people, key=lambda j: (j.started, j.name, j.id)):
            by_department[junior.department or "—"].append(junior)
        # Deal departments' people in turn (biggest department first), so each group mixes them.
        dealt: list[Junior] = []
        queues = sorted(by_department.values(), key=lambda q: (-len(q), q[0].department))
        while any(queues):
            for queue in queues:
                if queue:
                    dealt.append(queue.pop(0))
        groups: list[list[Junior]] = [[] for _ in sizes]
        for index, junior in enumerate(dealt):
            # Round-robin over groups that still have room.
            open_groups = [g for g, size in zip(groups, sizes, strict=True) if len(g) < size]
            open_groups[index % len(open_groups)].append(junior)
        for group in groups:
            proposals.append(PeerProposal(
                members=sorted(group, key=lambda j: (j.name, j.id)), cohort=cohort,
                departments=sorted({j.department or "—" for j in group})))
    return proposals


def learning_circles(juniors: list[Junior], seniors: list[Senior]) -> list[LearningProposal]:
    """Learning circles from seniors' shared interests and juniors' teachable expertise."""
    wanting: dict[int, list[Senior]] = defaultdict(list)
    for senior in seniors:
        for topic_id in senior.interests:
            wanting[topic_id].append(senior)
    taken_seniors: set[int] = set()
    taken_hosts: set[int] = set()
    proposals: list[LearningProposal] = []
    for topic_id in sorted(wanting, key=lambda t: (-len(wanting[t]), t)):
        hosts = [j for j in juniors if topic_id in j.expertise and j.id not in taken_hosts]
        if not hosts:
            continue
        free = sorted((s for s in wanting[topic_id] if s.id not in taken_seniors),
                      key=lambda s: (s.interests[topic_id], s.name, s.id))
        if len(free) < LEARNING_MIN:
            continue
        host = max(hosts, key=lambda j: (j.expertise[topic_id], -j.id))
        members = free[:LEARNING_MAX]
        taken_hosts.add(host.id)
        taken_seniors.update(s.id for s in members)
        proposals.append(LearningProposal(topic_id=topic_id, host=host, proficiency=host.expertise[topic_id],
                                          members=members, wanted_by=len(wanting[topic_id])))
    return proposals

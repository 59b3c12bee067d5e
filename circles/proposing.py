"""HR asks the app to propose circles: the program's data in, drafts with explanations out.

The grouping itself is pure (:mod:`circles.proposals`); this module reads the program (a fixed
number of queries), words each proposal's reasons and stores it as a draft circle HR can accept
or discard. Asking again replaces the drafts that are still drafts; accepted circles stay.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Min
from django.utils.translation import gettext as _

from accounts.dates import show_month
from circles import proposals
from circles.models import Circle
from circles.services import circle_create
from pairing.models import Enrollment, Expertise, LearningInterest, Pair
from programs.models import Topic


def _inputs(program) -> tuple[list[proposals.Junior], list[proposals.Senior], dict[int, Enrollment]]:
    enrollments = {e.pk: e for e in program.enrollments.filter(status=Enrollment.Status.APPROVED)
                   .select_related("user")}
    started = dict(Pair.objects.filter(program=program, activated_at__isnull=False)
                   .values_list("mentor_id").annotate(first=Min("activated_at"))
                   .values_list("mentor_id", "first"))
    users = {e.user_id: e for e in enrollments.values()}
    expertise: dict[int, dict[int, int]] = {}
    for user_id, topic_id, level in Expertise.objects.filter(
            profile__user_id__in=users, can_teach=True
    ).values_list("profile__user_id", "topic_id", "proficiency"):
        expertise.setdefault(user_id, {})[topic_id] = level
    interests: dict[int, dict[int, int]] = {}
    for user_id, topic_id, priority in LearningInterest.objects.filter(
            profile__user_id__in=users).values_list("profile__user_id", "topic_id", "priority"):
        interests.setdefault(user_id, {})[topic_id] = priority
    juniors, seniors = [], []
    for e in enrollments.values():
        if e.is_mentor:
            start = started.get(e.pk) or e.decided_at or e.applied_at
            juniors.append(proposals.Junior(id=e.pk, name=e.user.display_name, department=e.user.department,
                                            started=start.date(), expertise=expertise.get(e.user_id, {})))
        else:
            seniors.append(proposals.Senior(id=e.pk, name=e.user.display_name,
                                            interests=interests.get(e.user_id, {})))
    return juniors, seniors, enrollments


def _peer_text(p: proposals.PeerProposal) -> str:
    return _("%(n)s junior mentors who started in %(month)s, from %(d)s departments (%(departments)s): "
             "they can compare notes on mentoring seniors at the same stage, and hear how other parts of "
             "the organisation work. %(host)s started first, so hosts.") % {
        "n": len(p.members), "month": show_month(p.cohort), "d": len(p.departments),
        "departments": ", ".join(p.departments), "host": p.members[0].name}


def _learning_text(p: proposals.LearningProposal, topic: str) -> str:
    names = ", ".join(s.name for s in p.members)
    return _("%(n)s seniors want to learn %(topic)s (%(names)s); %(host)s knows it well (%(level)s of 5) "
             "and is happy to teach it, so hosts. %(wanted)s seniors in the program listed the topic.") % {
        "n": len(p.members), "topic": topic, "names": names, "host": p.host.name, "level": p.proficiency,
        "wanted": p.wanted_by}


@transaction.atomic
def circles_propose(*, program, by) -> list[Circle]:
    """Replace the program's draft circles with fresh proposals (peer and learning circles)."""
    program.circles.filter(status=Circle.Status.DRAFT).delete()
    juniors, seniors, enrollments = _inputs(program)
    created: list[Circle] = []
    for p in proposals.peer_circles(juniors):
        # The earliest starter hosts (ties: by name), the rest are members.
        ordered = sorted(p.members, key=lambda j: (j.started, j.name, j.id))
        created.append(circle_create(
            program=program, by=by, kind=Circle.Kind.PEER, status=Circle.Status.DRAFT,
            name=_("Peer circle · %(month)s") % {"month": show_month(p.cohort)},
            purpose=_("Junior mentors share what works with their seniors."),
            hosts=[enrollments[ordered[0].id]], members=[enrollments[j.id] for j in ordered[1:]],
            places=max(len(ordered) - 1, 2), cadence_weeks=program.cadence_weeks * 2 or 4,
            explanation=_peer_text(p)))
    learning = proposals.learning_circles(juniors, seniors)
    topics = Topic.objects.in_bulk({p.topic_id for p in learning})
    for p in learning:
        topic = topics[p.topic_id]
        created.append(circle_create(
            program=program, by=by, kind=Circle.Kind.LEARNING, status=Circle.Status.DRAFT,
            name=_("%(topic)s with %(host)s") % {"topic": topic.name, "host": p.host.name},
            purpose=_("%(host)s teaches %(topic)s to a small group of seniors.") % {
                "host": p.host.name, "topic": topic.name},
            hosts=[enrollments[p.host.id]], members=[enrollments[s.id] for s in p.members],
            places=max(len(p.members), 2), cadence_weeks=program.cadence_weeks or 2, topics=[topic],
            explanation=_learning_text(p, topic.name)))
    return created

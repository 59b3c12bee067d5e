"""Reads behind HR's matching review and exits pages, a fixed number of queries at any size.

The lists are querysets for :func:`accounts.pagination.paginate` (a COUNT and one page of rows);
the figures above them are aggregates. Nothing here loads every pair or every enrolment of a
program: at 20,000 participants a page still reads about a hundred rows.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from pairing.models import Enrollment, ExitRequest, MatchRun, Pair
from programs.models import Program

PAIR_PEOPLE = ("mentor__user", "mentee__user")
# Proposals are cards (both people, the reasons, a score breakdown, lock and forbid forms: ~3 KB
# each), not table rows: 25 a page reads comfortably on a phone and keeps the page's cost near
# that of a small program's. Published pairs are table rows, 50 a page.
PROPOSALS_PER_PAGE = 25
EXITS_PER_PAGE = 25  # the exits queue's requests are cards too
CHOICES = 50  # unpaired people offered in each list of the "pair two people" form


def _pair_search(q: str) -> Q:
    """Pairs with a member whose name or e-mail contains ``q`` (several terms: separated by commas)."""
    found = Q()
    for term in filter(None, (t.strip() for t in q.split(",")[:5])):
        for side in ("mentor", "mentee"):
            found |= Q(**{f"{side}__user__full_name__icontains": term})
            found |= Q(**{f"{side}__user__email__icontains": term})
    return found


def _person_search(q: str) -> Q:
    found = Q()
    for term in filter(None, (t.strip() for t in q.split(",")[:5])):
        found |= Q(user__full_name__icontains=term) | Q(user__email__icontains=term)
    return found


def review_drafts(program: Program, q: str = "") -> QuerySet[Pair]:
    """Proposed pairs not yet published, locked first, then best score (the order HR reviews them)."""
    rows = Pair.objects.filter(program=program, status=Pair.Status.PROPOSED, published_at__isnull=True)
    if q:
        rows = rows.filter(_pair_search(q))
    return rows.select_related(*PAIR_PEOPLE).order_by("-locked", "-score", "id")


def review_published(program: Program, q: str = "") -> QuerySet[Pair]:
    """Published pairs: offers waiting for answers first, then by status and score."""
    rows = Pair.objects.filter(program=program, published_at__isnull=False)
    if q:
        rows = rows.filter(_pair_search(q))
    waiting = Case(When(status=Pair.Status.PROPOSED, then=Value(0)), default=Value(1),
                   output_field=IntegerField())
    return rows.select_related(*PAIR_PEOPLE).order_by(waiting, "status", "-score", "id")


def _live_load() -> Coalesce:
    """How many live pairs (proposed or active) a mentor enrolment is in."""
    rows = (Pair.objects.filter(mentor=OuterRef("pk"), status__in=Pair.LIVE).order_by()
            .values("mentor").annotate(n=Count("id")).values("n"))
    return Coalesce(Subquery(rows), 0)


def _placed() -> Exists:
    return Exists(Pair.objects.filter(mentee=OuterRef("pk"), status__in=Pair.LIVE))


def free_people(program: Program, role: str, q: str = "", *, limit: int = CHOICES) -> list[Enrollment]:
    """Approved people of ``role`` who can take (another) pair: the ``limit`` who have waited
    longest (by application), listed by name.

    Taken in application order because that order is an index (``enrollment_hr_order``): the
    first ``limit`` free people are found by walking it, where the first ``limit`` by name meant
    walking the whole organisation's names (~10 ms a list at 20,000 people).
    """
    rows = Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED, role=role)
    if role == Enrollment.Role.MENTOR:
        rows = rows.annotate(load=_live_load()).filter(load__lt=F("capacity"))
    else:
        rows = rows.filter(~_placed())
    if q:
        rows = rows.filter(_person_search(q))
    found = list(rows.select_related("user").order_by("status", "role", "applied_at", "id")[:limit])
    return sorted(found, key=lambda e: (e.user.full_name, e.pk))


def review_figures(program: Program) -> dict[str, int]:
    """The counts above the review (two aggregate queries)."""
    pairs = Pair.objects.filter(program=program).aggregate(
        n_drafts=Count("id", filter=Q(status=Pair.Status.PROPOSED, published_at__isnull=True)),
        n_locked=Count("id", filter=Q(status=Pair.Status.PROPOSED, published_at__isnull=True, locked=True)),
        n_published=Count("id", filter=Q(published_at__isnull=False)),
    )
    mentor, mentee = Q(role=Enrollment.Role.MENTOR), Q(role=Enrollment.Role.MENTEE)
    # No count of mentors with room left: the page does not show it, and working out every
    # mentor's load made this the review's dearest query (~20 ms at 20,000 participants).
    people = (Enrollment.objects.filter(program=program, status=Enrollment.Status.APPROVED)
              .annotate(placed=_placed())
              .aggregate(n_mentors=Count("id", filter=mentor), n_mentees=Count("id", filter=mentee),
                         n_free_mentees=Count("id", filter=mentee & Q(placed=False))))
    return {**pairs, **people}


def last_run(program: Program) -> MatchRun | None:
    return MatchRun.objects.filter(program=program).select_related("started_by").first()


def open_exit_count(program: Program | None = None) -> int:
    rows = ExitRequest.objects.filter(resolved_at__isnull=True)
    return rows.filter(pair__program=program).count() if program is not None else rows.count()


def _person(path: str) -> tuple[str, ...]:
    """The columns ``User.display_name`` reads, for a person reached by ``path``."""
    return (f"{path}__id", f"{path}__full_name", f"{path}__email")


# What the exits page shows of a request's pair: the program's name and both people. Only these
# columns: with every column of the program (70) and of four people, building the rows cost more
# than reading them.
EXIT_PAIR_COLUMNS = ("pair__id", "pair__program_id", "pair__mentor_id", "pair__mentee_id",
                     "pair__program__id", "pair__program__name", "pair__mentor__id", "pair__mentor__user_id",
                     "pair__mentee__id", "pair__mentee__user_id", *_person("pair__mentor__user"),
                     *_person("pair__mentee__user"))


def exit_queue() -> QuerySet[ExitRequest]:
    """Open exit and rematch requests, oldest first, with the pair and both people (for paging)."""
    return (ExitRequest.objects.filter(resolved_at__isnull=True)
            .select_related("requested_by", "pair__program", *(f"pair__{p}" for p in PAIR_PEOPLE))
            .only("id", "pair_id", "requested_by_id", "kind", "created_at", "resolved_at",
                  *_person("requested_by"), *EXIT_PAIR_COLUMNS)
            .order_by("created_at", "id"))

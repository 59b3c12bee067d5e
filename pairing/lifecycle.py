"""Joiners, movers and leavers as they arrive from the company's directory.

Kept apart from ``pairing.services`` so the directory's steps read as one story, but they reuse
its public steps (``enrollment_withdraw``) and its message path (``send_after_commit``).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from pairing.emails import send_after_commit
from pairing.models import Enrollment, Pair
from pairing.pairs import hr_admins
from pairing.rules import in_reporting_line
from pairing.services import enrollment_withdraw

OPEN_ENROLMENT = (Enrollment.Status.APPLIED, Enrollment.Status.APPROVED, Enrollment.Status.WAITLISTED)


@transaction.atomic
def person_leave(*, user: User) -> dict[str, int]:
    """A leaver: active pairs end as "left the organisation" (no fault), open enrolments are withdrawn.

    The partner stays enrolled (so the next matching run can pair them again) and is told, as is
    HR. Nothing the leaver wrote is deleted here: shared records stay with the partner until the
    program's retention rules remove them. Signing in is stopped by the caller (accounts).
    """
    now = timezone.now()
    mine = Q(mentor__user=user) | Q(mentee__user=user)
    active = list(
        Pair.objects.select_for_update(of=("self",))
        .select_related("program", "mentor__user", "mentee__user")
        .filter(mine, status=Pair.Status.ACTIVE)
    )
    messages = []
    hr = list(hr_admins())
    for pair in active:
        pair.status, pair.ended_at = Pair.Status.ENDED_EARLY, now
        pair.save(update_fields=["status", "ended_at"])
        partner = pair.partner_of(user)
        messages.append(("pair_ended", partner, {"pair": pair, "rematch": True, "left_organisation": True}))
        messages += [("partner_left_hr", person, {"pair": pair, "side": pair.side_of(user)})
                     for person in hr if person.pk != user.pk]
    withdrawn = 0
    for enrollment in Enrollment.objects.filter(user=user, status__in=OPEN_ENROLMENT):
        enrollment_withdraw(enrollment=enrollment, by=user)
        withdrawn += 1
    send_after_commit(messages)
    return {"pairs_ended": len(active), "enrolments_withdrawn": withdrawn}


FLAGGED_SHOWN = 50  # flagged pairs listed on HR's exits page; a sentence says when there are more

# Active pairs' members and the managers above them, in one query: the members (pair, mentor's user,
# mentee's user), then their user rows, their managers' rows and so on up (UNION drops repeats,
# so a loop in bad imported data ends too). Loading everyone's manager and every active pair as
# model rows instead grew HR's exits page with the organisation (~300 ms at 20,000 people).
_MEMBERS_AND_CHAINS_SQL = """
WITH RECURSIVE members (pair_id, mentor, mentee) AS (
    SELECT p.id, a.{user}, b.{user}
      FROM {pair} p JOIN {enrollment} a ON a.id = p.{mentor} JOIN {enrollment} b ON b.id = p.{mentee}
     WHERE p.{status} = %s
), up (id, manager) AS (
    SELECT u.id, u.{manager} FROM {users} u
     WHERE u.id IN (SELECT mentor FROM members UNION ALL SELECT mentee FROM members)
    UNION
    SELECT u.id, u.{manager} FROM {users} u JOIN up ON u.id = up.manager
)
SELECT pair_id, mentor, mentee FROM members
UNION ALL
SELECT NULL, id, manager FROM up
"""


def _members_and_managers() -> tuple[list[tuple[int, int, int]], dict[int, int | None]]:
    """(pair id, mentor's user id, mentee's user id) of every active pair, and the manager of each
    of those people and of everyone above them."""
    quote = connection.ops.quote_name
    column = lambda model, name: quote(model._meta.get_field(name).column)  # noqa: E731
    sql = _MEMBERS_AND_CHAINS_SQL.format(
        pair=quote(Pair._meta.db_table), enrollment=quote(Enrollment._meta.db_table),
        users=quote(User._meta.db_table), mentor=column(Pair, "mentor"), mentee=column(Pair, "mentee"),
        status=column(Pair, "status"), user=column(Enrollment, "user"), manager=column(User, "manager"),
    )
    with connection.cursor() as cursor:
        # Only names from the models' metadata are formatted in; the one value is a parameter.
        cursor.execute(sql, [Pair.Status.ACTIVE])
        rows = cursor.fetchall()
    return [r for r in rows if r[0] is not None], {r[1]: r[2] for r in rows if r[0] is None}


def pairs_in_reporting_line(limit: int = FLAGGED_SHOWN) -> list[Pair]:
    """Active pairs that now break the reporting-line rule (a mover's new manager), for HR to act on:
    at most ``limit`` + 1 of them (the extra one tells the page there are more), in two queries.

    The rule is ``rules.in_reporting_line``, the one matching and HR's manual pairs keep, applied
    to the active pairs' member ids (no model rows) over the managers above them.
    """
    members, managers = _members_and_managers()
    flagged = [pk for pk, a, b in members if in_reporting_line(a, b, managers)]
    return list(
        Pair.objects.filter(pk__in=flagged)
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("program__name", "id")[: limit + 1]
    )

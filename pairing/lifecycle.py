"""Joiners, movers and leavers as they arrive from the company's directory.

Kept apart from ``pairing.services`` so the directory's steps read as one story, but they reuse
its public steps (``enrollment_withdraw``) and its message path (``send_after_commit``).
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from accounts.models import User
from pairing.emails import send_after_commit
from pairing.models import Enrollment, Pair
from pairing.pairs import hr_admins
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

# Active pairs where one person is anywhere above the other in the manager chain, found in the
# database (the rule of ``rules.in_reporting_line``, which matching and HR's manual pairs keep).
# Only someone with reports can be above anyone, so a pair is a candidate only if a member has
# reports (an index probe on manager_id); from the other member the chain is walked up until it
# reaches that person or its top. Loading everyone's manager and every active pair as model rows
# instead grew HR's exits page with the organisation (~300 ms at 20,000 people). The depth bound
# stops a loop in bad imported data, as rules._chain does.
_REPORTING_LINE_SQL = """
WITH RECURSIVE members (pair_id, mentor, mentee) AS (
    SELECT p.id, a.{user}, b.{user}
      FROM {pair} p JOIN {enrollment} a ON a.id = p.{mentor} JOIN {enrollment} b ON b.id = p.{mentee}
     WHERE p.{status} = %s
), candidates (pair_id, low, high) AS (
    SELECT m.pair_id, m.mentor, m.mentee FROM members m
     WHERE EXISTS (SELECT 1 FROM {users} r WHERE r.{manager} = m.mentee)
    UNION ALL
    SELECT m.pair_id, m.mentee, m.mentor FROM members m
     WHERE EXISTS (SELECT 1 FROM {users} r WHERE r.{manager} = m.mentor)
), chain (pair_id, target, node, depth) AS (
    SELECT c.pair_id, c.high, u.{manager}, 1 FROM candidates c JOIN {users} u ON u.id = c.low
    UNION ALL
    SELECT ch.pair_id, ch.target, u.{manager}, ch.depth + 1
      FROM chain ch JOIN {users} u ON u.id = ch.node
     WHERE ch.node <> ch.target AND ch.depth < 100
)
SELECT pair_id FROM chain WHERE node = target
"""


def _reporting_line_sql() -> str:
    quote = connection.ops.quote_name
    column = lambda model, name: quote(model._meta.get_field(name).column)  # noqa: E731
    return _REPORTING_LINE_SQL.format(
        pair=quote(Pair._meta.db_table), enrollment=quote(Enrollment._meta.db_table),
        users=quote(User._meta.db_table), mentor=column(Pair, "mentor"), mentee=column(Pair, "mentee"),
        status=column(Pair, "status"), user=column(Enrollment, "user"), manager=column(User, "manager"),
    )


def pairs_in_reporting_line(limit: int = FLAGGED_SHOWN) -> list[Pair]:
    """Active pairs that now break the reporting-line rule (a mover's new manager), for HR to act on:
    at most ``limit`` + 1 of them (the extra one tells the page there are more), in one query."""
    # Only names from the models' metadata are formatted in; the one value is a parameter.
    flagged = RawSQL(_reporting_line_sql(), [Pair.Status.ACTIVE])  # noqa: S611  # nosec B611
    return list(
        Pair.objects.filter(pk__in=flagged)
        .select_related("program", "mentor__user", "mentee__user")
        .order_by("program__name", "id")[: limit + 1]
    )

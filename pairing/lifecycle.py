"""Joiners, movers and leavers as they arrive from the company's directory.

Kept apart from ``pairing.services`` so the directory's steps read as one story, but they reuse
its public steps (``enrollment_withdraw``) and its message path (``send_after_commit``).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from pairing.emails import send_after_commit
from pairing.models import Enrollment, Pair
from pairing.pairs import hr_admins
from pairing.rules import in_reporting_line, manager_map
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


def pairs_in_reporting_line() -> list[Pair]:
    """Active pairs that now break the reporting-line rule (a mover's new manager), for HR to act on."""
    managers = manager_map()
    pairs = Pair.objects.filter(status=Pair.Status.ACTIVE).select_related(
        "program", "mentor__user", "mentee__user"
    )
    return [p for p in pairs if in_reporting_line(p.mentor.user_id, p.mentee.user_id, managers)]

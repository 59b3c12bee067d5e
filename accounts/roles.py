"""Who may see what: the one place that decides a person's roles.

HR admins hold the ``accounts.hr_admin`` permission (through the "HR admins" group);
program leads are attached per program (``Program.leads``, related name ``led_programs``);
participants have enrolments (related name ``enrollments``). Apps lower in the stack do not
import from higher ones, so the later relations are reached by their related names.
Object-level access helpers (``get_<obj>_for_user``) in each app build on these predicates.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import wraps
from typing import TYPE_CHECKING

from django.contrib.auth.decorators import login_required
from django.http import Http404

if TYPE_CHECKING:
    from collections.abc import Callable

    from django.http import HttpRequest, HttpResponse

HR_ADMINS_GROUP = "HR admins"
HR_ADMIN_PERMISSION = "accounts.hr_admin"


def is_hr_admin(user) -> bool:
    return bool(user.is_authenticated and user.is_active and user.has_perm(HR_ADMIN_PERMISSION))


def is_program_lead(user) -> bool:
    """Leads at least one program (any status)."""
    if not user.is_authenticated:
        return False
    led = getattr(user, "led_programs", None)
    return bool(led is not None and led.exists())


def is_participant(user) -> bool:
    """Has enrolled (or been enrolled) in at least one program."""
    if not user.is_authenticated:
        return False
    enrollments = getattr(user, "enrollments", None)
    return bool(enrollments is not None and enrollments.exists())


@dataclass(frozen=True)
class Roles:
    hr_admin: bool = False
    lead: bool = False
    participant: bool = False
    superuser: bool = False

    @property
    def names(self) -> list[str]:
        return [n for n in ("hr_admin", "lead", "participant", "superuser") if getattr(self, n)]


def roles_for(user) -> Roles:
    """Every role of one person, computed once per request (see the context processor)."""
    if not user.is_authenticated:
        return Roles()
    cached = getattr(user, "_flipside_roles", None)
    if cached is None:
        cached = Roles(
            hr_admin=is_hr_admin(user),
            lead=is_program_lead(user),
            participant=is_participant(user),
            superuser=user.is_superuser,
        )
        user._flipside_roles = cached
    return cached


def hr_admin_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Sign-in required; signed-in people who are not HR admins get a 404, not a hint."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not is_hr_admin(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper

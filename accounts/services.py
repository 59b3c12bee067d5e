"""State changes of accounts: every write goes through one of these functions."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts.models import User
from accounts.roles import HR_ADMINS_GROUP


def hr_group_ensure() -> Group:
    """The "HR admins" group holding the hr_admin permission (created after migrations)."""
    group, _ = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    permission = Permission.objects.get(content_type__app_label="accounts", codename="hr_admin")
    group.permissions.add(permission)
    return group


@transaction.atomic
def user_set_hr_admin(*, user: User, is_hr_admin: bool) -> User:
    """Grant or withdraw the HR admin role."""
    group = hr_group_ensure()
    if is_hr_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    # Permissions are cached per user object; forget them so checks see the change.
    for attr in ("_perm_cache", "_group_perm_cache", "_user_perm_cache", "_flipside_roles"):
        user.__dict__.pop(attr, None)
    return user


@transaction.atomic
def user_update_preferences(*, user: User, full_name: str, time_zone: str,
                            nudges_opt_out: bool) -> User:
    user.full_name = full_name
    user.time_zone = time_zone
    user.nudges_opt_out = nudges_opt_out
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "time_zone", "nudges_opt_out"])
    return user

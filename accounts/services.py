"""State changes of accounts: every write goes through one of these functions."""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction

from accounts import saml
from accounts.audit import audit_record
from accounts.models import AuditEvent, User
from accounts.roles import HR_ADMINS_GROUP


def hr_group_ensure() -> Group:
    """The "HR admins" group holding the hr_admin permission (created after migrations)."""
    group, _ = Group.objects.get_or_create(name=HR_ADMINS_GROUP)
    permission = Permission.objects.get(content_type__app_label="accounts", codename="hr_admin")
    group.permissions.add(permission)
    return group


@transaction.atomic
def user_set_hr_admin(*, user: User, is_hr_admin: bool, actor: User | None = None) -> User:
    """Grant or withdraw the HR admin role (audited)."""
    group = hr_group_ensure()
    had_role = user.groups.filter(pk=group.pk).exists()
    if is_hr_admin:
        user.groups.add(group)
    else:
        user.groups.remove(group)
    if had_role != is_hr_admin:
        verb = "granted" if is_hr_admin else "withdrew"
        audit_record(kind=AuditEvent.Kind.ROLE_CHANGED, actor=actor,
                     summary=f"{actor.email if actor else 'system'} {verb} HR admin for {user.email}",
                     data={"user_id": user.pk, "role": "hr_admin", "granted": is_hr_admin})
    # Permissions are cached per user object; forget them so checks see the change.
    for attr in ("_perm_cache", "_group_perm_cache", "_user_perm_cache", "_flipside_roles"):
        user.__dict__.pop(attr, None)
    return user


@transaction.atomic
def user_update_preferences(*, user: User, full_name: str, time_zone: str,
                            nudges_opt_out: bool, language: str | None = None,
                            accepts_night_sessions: bool | None = None) -> User:
    # The form has already written the new zone onto `user`: compare with the stored row.
    stored_zone, location = User.objects.filter(pk=user.pk).values_list("time_zone", "location").get()
    user.full_name = full_name
    user.time_zone = time_zone
    user.nudges_opt_out = nudges_opt_out
    user.location = location_after_move(location, old_zone=stored_zone, new_zone=time_zone)
    fields = ["full_name", "time_zone", "nudges_opt_out", "location"]
    if accepts_night_sessions is not None:
        user.accepts_night_sessions = accepts_night_sessions
        fields.append("accepts_night_sessions")
    if language is not None:  # None: the caller does not set it ("" means follow the browser)
        user.language = language
        fields.append("language")
    user.full_clean(exclude=["password"])
    user.save(update_fields=fields)
    return user


def zone_city(zone: str) -> str:
    """The city an IANA zone is named after ("America/New_York" → "New York"; "" for "UTC")."""
    return zone.rsplit("/", 1)[-1].replace("_", " ") if "/" in zone else ""


def location_after_move(location: str, *, old_zone: str, new_zone: str) -> str:
    """The location once a person changes time zone.

    A location that only repeats the old zone's city (as the demo and many imports fill it)
    was a copy of the zone: it follows the new one, so the pair page does not show a place the
    person has left. A location HR typed in its own words ("Head office") stays.
    """
    city = zone_city(old_zone)
    if old_zone != new_zone and city and location.strip().casefold() == city.casefold():
        return zone_city(new_zone)
    return location


@transaction.atomic
def saml_connection_save(*, actor: User, name: str, idp: dict, attribute_mapping: dict,
                         request=None) -> SocialApp:
    """Create or replace the organisation's SAML identity provider (allauth's SocialApp), audited.

    ``idp`` has already been checked (see accounts.saml); the security settings are not stored
    here because FlipsideSAMLProvider forces them on every connection.
    """
    slug = settings.SAML_ORGANIZATION_SLUG
    app = SocialApp.objects.filter(provider=saml.PROVIDER_ID, client_id=slug).first()
    app = app or SocialApp(provider=saml.PROVIDER_ID, client_id=slug)
    app.name = name
    app.settings = {"idp": idp, "attribute_mapping": attribute_mapping}
    app.full_clean(exclude=["sites"])
    app.save()
    # allauth only offers an app attached to this site (django.contrib.sites is installed).
    app.sites.set([settings.SITE_ID])
    audit_record(kind=AuditEvent.Kind.CONFIG_CHANGED, actor=actor, request=request,
                 summary=f"SAML identity provider set to {idp.get('entity_id', '')}"[:300],
                 data={"entity_id": idp.get("entity_id", ""), "metadata_url": idp.get("metadata_url", "")})
    return app

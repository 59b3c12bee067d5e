"""Provisioning tokens and what the directory says about a person beyond Flipside's own fields.

The organisation facts Flipside uses (name, title, department, level, manager, time zone, active)
stay on ``accounts.User``; this app keeps only what a directory needs to recognise its records:
its ``userName`` and ``externalId``, the e-mail list as sent, and a few enterprise fields Flipside
shows nowhere (employee number, organisation, locale).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ScimToken(models.Model):
    """A bearer token an identity provider uses; only the SHA-256 of its secret is stored."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=12, editable=False, help_text=_("First characters, to recognise it.")
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["revoked_at", "name"]
        verbose_name = _("SCIM token")

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ScimAccount(models.Model):
    """The directory's record of one person (only for people a directory has provisioned)."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="scim")
    user_name = models.CharField(max_length=255)
    external_id = models.CharField(max_length=255, null=True, blank=True)
    name = models.JSONField(default=dict, blank=True)  # {givenName, familyName, formatted, ...} as sent
    emails = models.JSONField(default=list, blank=True)  # [{value, type, primary}] as sent
    # displayName as sent: null when the directory sent none or removed it, so a removal reads back
    # as absent (RFC 7644 §3.5.2.2: "unassigned"). The person's name in Flipside then comes from
    # name.formatted or givenName + familyName.
    display_name = models.CharField(max_length=150, null=True, blank=True)
    # active as sent; null = the directory never sent it or removed it. RFC 7643 §4.1.1 leaves its
    # meaning to the service provider: Flipside reads "unassigned" as "nothing stops this person
    # signing in", exactly like a POST or PUT without active, and returns no active attribute.
    active = models.BooleanField(null=True, blank=True)
    locale = models.CharField(max_length=64, blank=True)
    # preferredLanguage as sent ("de-DE"); a German or English one sets the person's language.
    preferred_language = models.CharField(max_length=64, blank=True)
    # The zone as the directory sent it; only a known IANA zone is copied to the person.
    time_zone = models.CharField(max_length=64, blank=True)
    # The grade as sent; a grade beyond Flipside's scale leaves the person without a level
    # (matching then lists them for HR as "no level on record") instead of refusing the directory.
    level = models.BigIntegerField(null=True, blank=True)
    employee_number = models.CharField(max_length=64, blank=True)
    organization = models.CharField(max_length=255, blank=True)
    # A manager named before the directory has sent them (Entra and Okta send managers later):
    # kept here and resolved when that person arrives.
    pending_manager = models.CharField(max_length=255, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("user_name"), name="scim_user_name_unique"),
            models.UniqueConstraint(
                fields=["external_id"], condition=Q(external_id__isnull=False), name="scim_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.user_name

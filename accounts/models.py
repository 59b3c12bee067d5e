from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Erasure replaces a person's e-mail address with one at this reserved domain (RFC 2606).
ERASED_EMAIL_DOMAIN = "erased.invalid"


def validate_time_zone(value: str) -> None:
    if value not in available_time_zones():
        raise ValidationError(_("“%(value)s” is not a known time zone."), params={"value": value})


_ZONES: frozenset[str] | None = None


def available_time_zones() -> frozenset[str]:
    global _ZONES  # noqa: PLW0603 - computed once; the tz database does not change at run time
    if _ZONES is None:
        _ZONES = frozenset(zoneinfo.available_timezones())
    return _ZONES


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields) -> User:
        if not email:
            raise ValueError("Users need an e-mail address.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str) -> User:
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person in the organisation. The e-mail address is the login."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        help_text=_("Times are shown to you in this zone."),
    )
    # Blank follows the browser's Accept-Language; e-mails and chat messages use it (else LANGUAGE_CODE).
    language = models.CharField(
        _("language"), max_length=8, blank=True, default="", choices=settings.LANGUAGES,
        help_text=_("Pages, e-mails and chat messages reach you in this language."),
    )
    # Organisation facts HR owns (set by invitation or CSV import); the participant-owned
    # part of a profile (expertise, interests, availability) lives in pairing.Profile.
    job_title = models.CharField(_("job title"), max_length=150, blank=True)
    department = models.CharField(_("department"), max_length=100, blank=True, db_index=True)
    level = models.PositiveSmallIntegerField(
        _("level"), null=True, blank=True, help_text=_("Grade in the organisation; higher is more senior.")
    )
    manager = models.ForeignKey(
        "self", verbose_name=_("manager"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="reports",
    )
    location = models.CharField(_("location"), max_length=100, blank=True)
    # The directory's own id for this person (SCIM externalId, or the subject a SAML identity provider
    # asserts). Single sign-on matches people by it before falling back to the e-mail address; SCIM
    # provisioning writes it. NULL (not "") for people nobody provisioned, so the unique index allows many.
    external_id = models.CharField(
        _("directory id"), max_length=255, null=True, blank=True, unique=True,
        help_text=_("The person's id in the company directory (SCIM externalId)."),
    )
    nudges_opt_out = models.BooleanField(
        _("no nudge e-mails"),
        default=False,
        help_text=_("Skip friendly reminders when a pair is behind its meeting cadence."),
    )
    # Out-of-hours guard (meetings.hours): without this, nobody can book this person at night.
    accepts_night_sessions = models.BooleanField(
        _("I accept sessions at night"),
        default=False,
        help_text=_("Lets your partner book or propose sessions between 22:00 and 07:00 your time."),
    )
    is_staff = models.BooleanField(
        _("staff status"), default=False,
        help_text=_("May sign in to the back-office (Django admin)."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["full_name", "email"]
        permissions = [("hr_admin", _("Can administer mentoring programs and people"))]
        # The People page's order: one page of 50 is read from the index, not by sorting everyone.
        # (Its search has PostgreSQL trigram indexes, made in migration 0007.)
        indexes = [models.Index(fields=["full_name", "email"], name="user_people_order")]

    def __str__(self) -> str:
        return self.display_name

    def clean(self) -> None:
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()
        if self.manager_id and self.pk and self.manager_id == self.pk:
            raise ValidationError({"manager": _("A person cannot be their own manager.")})

    @property
    def is_erased(self) -> bool:
        return self.email.endswith("@" + ERASED_EMAIL_DOMAIN)

    @property
    def display_name(self) -> str:
        # An erased account keeps its row (for others' history) but no name: its e-mail's local part
        # ("erased-168") is not a name to show anyone.
        if self.is_erased:
            return str(_("Former employee"))
        return self.full_name or self.email.split("@")[0]

    @property
    def first_name(self) -> str:
        return self.display_name.split()[0] if self.display_name else ""

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")


class AuditEvent(models.Model):
    """A security event or configuration change: who did what, when. Never secrets or note bodies."""

    class Kind(models.TextChoices):
        SIGN_IN = "sign_in", _("Signed in")
        SIGN_IN_FAILED = "sign_in_failed", _("Failed sign-in")
        SIGN_OUT = "sign_out", _("Signed out")
        PASSWORD_CHANGED = "password_changed", _("Password changed")
        ROLE_CHANGED = "role_changed", _("Role changed")
        MFA_CHANGED = "mfa_changed", _("Two-factor settings changed")
        EXPORT = "export", _("Data exported")
        ERASURE = "erasure", _("Person erased")
        CONFIG_CHANGED = "config_changed", _("Configuration changed")

    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, db_index=True)
    summary = models.CharField(max_length=300)
    ip = models.GenericIPAddressField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.kind}: {self.summary}"

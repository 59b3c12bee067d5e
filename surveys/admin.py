"""Back-office views of the outbox and the responses: states and keys, never answer texts or tokens."""

from __future__ import annotations

from django.contrib import admin

from surveys.models import LeadDigest, MeetingReminder, Nudge, SurveyInvitation, SurveyResponse

OUTBOX_FIELDS = ("created_at", "claimed_at", "sent_at", "skipped_at", "skipped_reason")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MeetingReminder)
class MeetingReminderAdmin(ReadOnlyAdmin):
    list_display = ("id", "meeting", "recipient", "lead_hours", "starts_at", *OUTBOX_FIELDS)
    list_filter = ("lead_hours", "skipped_reason")
    list_select_related = ("meeting", "recipient")


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "program",
        "kind",
        "recipient",
        "sent_at",
        "reminder_sent_at",
        "expires_at",
        "answered_at",
        "skipped_reason",
    )
    list_filter = ("kind", "program")
    list_select_related = ("program", "recipient")
    exclude = ("token_hash", "reminder_token_hash")


@admin.register(SurveyResponse)
class SurveyResponseAdmin(ReadOnlyAdmin):
    # Only that a response exists: the answers themselves reach leads as aggregates only.
    list_display = ("id", "program", "kind", "submitted_at")
    list_filter = ("kind", "program")
    fields = ("program", "kind", "submitted_at")


@admin.register(Nudge)
class NudgeAdmin(ReadOnlyAdmin):
    list_display = ("id", "pair", "kind", "recipient", "period", *OUTBOX_FIELDS)
    list_filter = ("kind", "skipped_reason")
    list_select_related = ("pair__mentor__user", "pair__mentee__user", "recipient")


@admin.register(LeadDigest)
class LeadDigestAdmin(ReadOnlyAdmin):
    list_display = ("id", "lead", "iso_week", *OUTBOX_FIELDS)
    list_select_related = ("lead",)

"""Back-office views of the planned messages and the responses: states, never answer texts or tokens."""

from __future__ import annotations

from django.contrib import admin

from surveys.models import LeadDigest, SurveyInvitation, SurveyResponse

OUTBOX_FIELDS = ("created_at", "sent_at", "skipped_at", "skipped_reason")


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


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


@admin.register(LeadDigest)
class LeadDigestAdmin(ReadOnlyAdmin):
    list_display = ("id", "lead", "iso_week", *OUTBOX_FIELDS)
    list_select_related = ("lead",)

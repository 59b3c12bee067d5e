"""Back-office views of circles. Read-only, and blind to what people wrote (like meetings.admin)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from circles.models import (
    Circle,
    CircleActionItem,
    CircleMember,
    CircleMessage,
    CircleNote,
    CircleReflection,
    CircleSession,
)
from meetings.admin import ReadOnlyAdmin


class MemberInline(admin.TabularInline):
    model = CircleMember
    extra = 0
    can_delete = False
    fields = readonly_fields = ("enrollment", "role", "joined_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Circle)
class CircleAdmin(ReadOnlyAdmin):
    list_display = ("id", "name", "program", "kind", "status", "places")
    list_filter = ("kind", "status")
    fields = readonly_fields = ("program", "name", "kind", "status", "places", "cadence_weeks", "created_at")
    inlines = [MemberInline]


@admin.register(CircleSession)
class CircleSessionAdmin(ReadOnlyAdmin):
    list_display = ("id", "circle", "status", "starts_at", "places", "going", "ics_sequence")
    list_filter = ("status",)
    fields = readonly_fields = ("circle", "status", "starts_at", "ends_at", "mode", "places", "going",
                                "ics_sequence", "created_at")


@admin.register(CircleMessage)
class CircleMessageAdmin(ReadOnlyAdmin):
    list_display = ("id", "session", "recipient", "kind", "sequence", "created_at")
    list_filter = ("kind",)


@admin.register(CircleNote)
class CircleNoteAdmin(ReadOnlyAdmin):
    list_display = ("session", "updated_by", "updated_at", "summary_length")
    fields = readonly_fields = ("session", "updated_by", "updated_at", "summary_length")

    @admin.display(description=_("shared summary (characters)"))
    def summary_length(self, obj: CircleNote) -> int:
        return len(obj.shared_summary)


@admin.register(CircleReflection)
class CircleReflectionAdmin(ReadOnlyAdmin):
    """Shows that a reflection exists (to delete on request) — never its text."""

    list_display = ("id", "note", "author", "length", "updated_at")
    fields = readonly_fields = ("note", "author", "length", "created_at", "updated_at")

    @admin.display(description=_("characters"))
    def length(self, obj: CircleReflection) -> int:
        return len(obj.text)


@admin.register(CircleActionItem)
class CircleActionItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "circle", "owner", "done_at")
    fields = readonly_fields = ("circle", "session", "owner", "done_at", "created_at")

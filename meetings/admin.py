"""Back-office views of meetings. Read-mostly, and blind to what people wrote.

Session logs are the pair's own: the admin shows that a log exists, who touched it and how long
its parts are, never the shared summary, goal notes or private reflections.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from meetings.models import (
    ActionItem,
    CalendarFeed,
    GoalProgress,
    Meeting,
    MeetingAttendance,
    MeetingEvent,
    MeetingNotice,
    MeetingReminder,
    Nudge,
    PrivateReflection,
    ProposedSlot,
    SessionLog,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class SlotInline(admin.TabularInline):
    model = ProposedSlot
    extra = 0
    can_delete = False
    fields = readonly_fields = ("starts_at", "ends_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class EventInline(SlotInline):
    model = MeetingEvent
    fields = readonly_fields = ("at", "kind", "actor", "actor_role", "old_starts_at", "new_starts_at")


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ("id", "pair", "status", "starts_at", "mode", "ics_sequence")
    list_filter = ("status", "mode")
    list_select_related = ("pair__mentor__user", "pair__mentee__user")
    date_hierarchy = "starts_at"
    exclude = ("cancel_reason",)
    readonly_fields = ("ics_uid", "ics_sequence", "created_at")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    inlines = [SlotInline, EventInline]


@admin.register(MeetingEvent)
class MeetingEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "meeting", "kind", "actor_role")
    list_filter = ("kind", "actor_role")
    exclude = ("reason",)


@admin.register(MeetingAttendance)
class MeetingAttendanceAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "user", "starts_at", "ends_at", "active")
    list_filter = ("active",)


@admin.register(MeetingNotice)
class MeetingNoticeAdmin(ReadOnlyAdmin):
    list_display = ("id", "meeting", "recipient", "kind", "sequence", "created_at")
    list_filter = ("kind",)


@admin.register(MeetingReminder)
class MeetingReminderAdmin(ReadOnlyAdmin):
    list_display = ("id", "meeting", "recipient", "lead_hours", "starts_at", "created_at", "sent_at",
                    "skipped_reason")
    list_filter = ("lead_hours", "skipped_reason")
    list_select_related = ("meeting", "recipient")


@admin.register(CalendarFeed)
class CalendarFeedAdmin(ReadOnlyAdmin):
    list_display = ("user", "version", "created_at")


@admin.register(SessionLog)
class SessionLogAdmin(ReadOnlyAdmin):
    list_display = ("meeting", "updated_by", "updated_at", "summary_length")
    fields = ("meeting", "updated_by", "updated_at", "summary_length", "summary_revision")
    readonly_fields = fields

    @admin.display(description=_("shared summary (characters)"))
    def summary_length(self, obj: SessionLog) -> int:
        return len(obj.shared_summary)


@admin.register(PrivateReflection)
class PrivateReflectionAdmin(ReadOnlyAdmin):
    """Exists so a superuser can see (and delete on request) that a reflection exists — not read it."""

    list_display = ("id", "log", "author", "length", "updated_at")
    fields = ("log", "author", "length", "created_at", "updated_at")
    readonly_fields = fields
    search_fields = ()

    @admin.display(description=_("characters"))
    def length(self, obj: PrivateReflection) -> int:
        return len(obj.text)


@admin.register(GoalProgress)
class GoalProgressAdmin(ReadOnlyAdmin):
    list_display = ("log", "author", "rating", "updated_at")
    fields = readonly_fields = ("log", "author", "rating", "updated_at")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("id", "pair", "owner", "due_on", "done_at")
    fields = readonly_fields = ("pair", "log", "owner", "due_on", "done_at", "created_at")


@admin.register(Nudge)
class NudgeAdmin(ReadOnlyAdmin):
    list_display = ("id", "pair", "kind", "recipient", "period", "created_at", "sent_at", "skipped_reason")
    list_filter = ("kind", "skipped_reason")
    list_select_related = ("pair__mentor__user", "pair__mentee__user", "recipient")

"""Back-office view of the outbox: kinds, keys and delivery states, never message bodies."""

from __future__ import annotations

from django.contrib import admin

from notifications.models import Delivery, Message


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    fields = ("channel", "state", "attempts", "claimed_until", "next_attempt_at", "sent_at", "error")
    readonly_fields = fields


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "key", "recipient", "created_at")
    list_filter = ("kind",)
    search_fields = ("key",)
    list_select_related = ("recipient",)
    exclude = ("context",)
    readonly_fields = ("kind", "key", "recipient", "ref_id", "created_at")
    inlines = [DeliveryInline]

    def has_add_permission(self, request) -> bool:
        return False

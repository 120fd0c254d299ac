from django.contrib import admin

from outbox.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    """Read-only: staff see what went out and why it failed, never the recipient's address."""

    list_display = ("created_at", "channel", "purpose", "status", "attempts", "recipient_hash", "sent_at")
    list_filter = ("channel", "status", "purpose")
    search_fields = ("recipient_hash", "subject")
    exclude = ("recipient", "body", "payload")
    readonly_fields = (
        "channel",
        "recipient_hash",
        "subject",
        "purpose",
        "dedupe_key",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    )

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

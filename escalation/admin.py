from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from escalation.models import Escalation, Notification
from oncall_project.base.admin_reading import HistoryReadMixin, ReadOnlyAdminMixin


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, HistoryReadMixin, SimpleHistoryAdmin):
    """Read-only until escalation actions exist; escalations are raised by the bug bot's API."""

    list_display = (
        "bug_id",
        "severity",
        "level",
        "status",
        "acknowledged_by",
        "ack_deadline",
        "created_at",
    )
    list_filter = ("status", "level", "severity")
    search_fields = ("bug_id", "channel_id", "thread_ts", "acknowledged_by", "created_by")
    date_hierarchy = "created_at"


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "team", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("channel", "text", "idempotency_key", "slack_ts")
    list_select_related = ("team",)
    date_hierarchy = "created_at"

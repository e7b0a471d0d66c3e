from django.contrib import admin

from oncall_project.base.admin_reading import ReadOnlyAdminMixin
from oncall_project.base.outbox.models import Notification


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind", "channel", "team", "status", "attempts", "sent_at")
    list_filter = ("status", "kind")
    search_fields = ("channel", "text", "idempotency_key", "slack_ts")
    list_select_related = ("team",)
    date_hierarchy = "created_at"

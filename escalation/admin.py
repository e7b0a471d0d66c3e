from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from escalation.models import Escalation
from oncall_project.base.admin_reading import HistoryReadMixin, ReadOnlyAdminMixin
from teams.pickers import PersonPickerAdmin


@admin.register(Escalation)
class EscalationAdmin(PersonPickerAdmin, ReadOnlyAdminMixin, HistoryReadMixin, SimpleHistoryAdmin):
    """Read-only: escalations are raised by the bug bot's API and answered from Slack or the
    API (acknowledge, resolve)."""

    named_columns = ("acknowledged_by", "resolved_by")

    list_display = (
        "bug_id",
        "severity",
        "level",
        "status",
        "acknowledged_by",
        "resolved_by",
        "ack_deadline",
        "created_at",
    )
    list_filter = ("status", "level", "severity")
    search_fields = (
        "bug_id",
        "channel_id",
        "thread_ts",
        "acknowledged_by",
        "resolved_by",
        "created_by",
    )
    date_hierarchy = "created_at"

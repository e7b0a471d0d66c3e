"""The running system's bookkeeping, for operators to read: watchdog alerts, the beat lease,
heartbeats of periodic jobs."""

from django.contrib import admin

from oncall_project.base.admin_reading import ReadOnlyAdminMixin
from oncall_project.telemetry.models import Alert, Heartbeat, Lease


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "firing", "since", "notified_at", "detail"]
    list_filter = ["firing"]


@admin.register(Heartbeat)
class HeartbeatAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "at", "duration_seconds"]


@admin.register(Lease)
class LeaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["name", "holder", "expires_at"]

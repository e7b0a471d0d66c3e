from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from oncall_project.base.admin_actions import ActionAdmin, run_each
from oncall_project.base.admin_reading import HistoryReadMixin, ReadOnlyAdminMixin
from oncall_project.base.counting import CappedPaginator
from schedules.actions import (
    OverrideFields,
    ScheduleFields,
    override_decide,
    override_request,
    rotation_config_update,
    schedule_create,
    schedule_delete,
    schedule_update,
)
from schedules.models import OnCallRecord, Override, OverrideStatus, Role, Schedule
from teams.actions import RotationSettings
from teams.models import BackupLine
from teams.pickers import PersonPickerAdmin, person_text

WEEKDAYS = [(0, "Mon"), (1, "Tue"), (2, "Wed"), (3, "Thu"), (4, "Fri"), (5, "Sat"), (6, "Sun")]


class ScheduleForm(forms.ModelForm):
    days_of_week = forms.TypedMultipleChoiceField(
        choices=WEEKDAYS,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Daily schedules only: the days they cover.",
    )

    class Meta:
        model = Schedule
        fields = (
            "team",
            "role",
            "engineer_slack_id",
            "start_date",
            "end_date",
            "schedule_type",
            "days_of_week",
        )


@admin.register(Schedule)
class ScheduleAdmin(PersonPickerAdmin, ActionAdmin):
    form = ScheduleForm
    person_fields = ("engineer_slack_id",)
    list_display = (
        "engineer_slack_id",
        "team",
        "start_date",
        "end_date",
        "schedule_type",
        "days_of_week",
        "origin",
        "role",
    )
    list_filter = ("team", "role", "origin", "schedule_type")
    search_fields = ("engineer_slack_id", "created_by", "team__name", "team__slug")
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    date_hierarchy = "start_date"
    fields = (
        "team",
        "role",
        "engineer_slack_id",
        "start_date",
        "end_date",
        "schedule_type",
        "days_of_week",
        "origin",
        "created_by",
        "legacy_id",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        always = ("origin", "created_by", "legacy_id", "created_at", "updated_at")
        return always if obj is None else ("team", "role", *always)

    def create(self, *, actor, fields):
        team, role = fields.pop("team"), fields.pop("role", Role.PRIMARY)
        return schedule_create(
            team=team, actor=actor, fields=ScheduleFields.parse(fields), role=role
        )

    def update(self, *, obj, actor, changes):
        return schedule_update(schedule=obj, actor=actor, changes=ScheduleFields.parse(changes))

    def delete(self, *, obj, actor):
        schedule_delete(schedule=obj, actor=actor)


@admin.register(Override)
class OverrideAdmin(PersonPickerAdmin, ActionAdmin):
    person_fields = ("engineer_slack_id", "replaces_slack_id")
    named_columns = ("requested_by", "approved_by")
    list_display = (
        "engineer_slack_id",
        "replaces_slack_id",
        "team",
        "dates",
        "status",
        "role",
        "requested_by",
        "decided",
    )
    list_filter = ("status", "role", "team")
    search_fields = (
        "engineer_slack_id",
        "replaces_slack_id",
        "requested_by",
        "approved_by",
        "reason",
        "team__name",
    )
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    date_hierarchy = "start_date"
    actions = ["approve_selected", "reject_selected"]

    @admin.display(description="Dates", ordering="start_date")
    def dates(self, obj: Override) -> str:
        return f"{obj.start_date:%-d %b} → {obj.end_date:%-d %b %Y}"

    @admin.display(description="Decided", ordering="decided_at")
    def decided(self, obj: Override) -> str:
        if not obj.decided_at:
            return "—"
        return f"{person_text(obj, 'approved_by') or '—'}, {obj.decided_at:%-d %b %Y}"

    fields = (
        "team",
        "role",
        "engineer_slack_id",
        "replaces_slack_id",
        "start_date",
        "end_date",
        "reason",
        "status",
        "requested_by",
        "approved_by",
        "decided_at",
        "legacy_id",
        "created_at",
        "updated_at",
    )
    request_fields = (
        "team",
        "role",
        "engineer_slack_id",
        "replaces_slack_id",
        "start_date",
        "end_date",
        "reason",
    )

    def get_readonly_fields(self, request, obj=None):
        # Once requested, an override only moves through its states (override_decide).
        decision = (
            "requested_by",
            "approved_by",
            "decided_at",
            "legacy_id",
            "created_at",
            "updated_at",
        )
        if obj is None:
            return ("status", *decision)
        return (*self.request_fields, *decision)

    def has_delete_permission(self, request, obj=None):
        return False  # overrides are cancelled, never deleted

    def create(self, *, actor, fields):
        team, role = fields.pop("team"), fields.pop("role", Role.PRIMARY)
        return override_request(
            team=team, actor=actor, fields=OverrideFields.parse(fields), role=role
        )

    def update(self, *, obj, actor, changes):
        return override_decide(override=obj, actor=actor, status=changes["status"])

    @admin.action(description="Approve selected overrides", permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, OverrideStatus.APPROVED, "Approved")

    @admin.action(description="Reject selected overrides", permissions=["change"])
    def reject_selected(self, request, queryset):
        self._decide(request, queryset, OverrideStatus.REJECTED, "Rejected")

    def _decide(self, request, queryset, status, done):
        run_each(
            self,
            request,
            queryset.select_related("team"),
            lambda override, actor: override_decide(override=override, actor=actor, status=status),
            done,
        )


@admin.register(OnCallRecord)
class OnCallRecordAdmin(
    PersonPickerAdmin, ReadOnlyAdminMixin, HistoryReadMixin, SimpleHistoryAdmin
):
    """The ledger grows by a row per team and line every day, forever: its list counts to
    10,000 ("more than 10,000") and pages no deeper, newest first along an index, and filters
    dates by range (a date hierarchy reads every row)."""

    person_fields = ("engineer_slack_id",)
    list_display = ("on_call_date", "team", "role", "engineer_slack_id", "source", "created_at")
    list_filter = ("role", "source", ("on_call_date", admin.DateFieldListFilter), "team")
    search_fields = ("engineer_slack_id", "team__name")
    list_select_related = ("team",)
    paginator = CappedPaginator
    show_full_result_count = False


@admin.register(BackupLine)
class BackupLineAdmin(PersonPickerAdmin, ActionAdmin):
    """A team's backup line: its own rotation, saved through the same action as the primary's
    (`rotation_config_update`, role backup). Turned off rather than deleted."""

    named_columns = ("current_engineer",)
    list_display = (
        "team",
        "rotation_enabled",
        "rotation_type",
        "rotation_interval",
        "handoff_time",
        "current_engineer",
        "next_handoff_at",
    )
    list_filter = ("rotation_enabled", "rotation_type")
    search_fields = ("team__name", "team__slug", "current_engineer")
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    fields = (
        "team",
        "rotation_enabled",
        "rotation_type",
        "rotation_order",
        "rotation_interval",
        "rotation_start_date",
        "handoff_day",
        "handoff_time",
        "lookahead_periods",
        "current_engineer",
        "next_handoff_at",
        "last_handoff_date",
    )
    people_fields = ("rotation_order",)
    actions = ["turn_off_selected"]

    def get_readonly_fields(self, request, obj=None):
        bookkeeping = ("current_engineer", "next_handoff_at", "last_handoff_date")
        return bookkeeping if obj is None else ("team", *bookkeeping)

    def has_delete_permission(self, request, obj=None):
        return False  # a backup line is turned off, keeping its settings and history

    def create(self, *, actor, fields):
        team = fields.pop("team")
        return self._save(team, actor, fields)

    def update(self, *, obj, actor, changes):
        return self._save(obj.team, actor, changes)

    @admin.action(description="Turn off selected backup lines", permissions=["change"])
    def turn_off_selected(self, request, queryset):
        run_each(
            self,
            request,
            queryset.select_related("team"),
            lambda line, actor: self._save(line.team, actor, {"rotation_enabled": False}),
            "Turned off",
        )

    def _save(self, team, actor, values) -> BackupLine:
        settings = RotationSettings.parse(values)
        rotation_config_update(team=team, actor=actor, settings=settings, role=Role.BACKUP)
        return BackupLine.objects.get(team=team)

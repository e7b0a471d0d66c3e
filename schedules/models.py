import datetime

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from simple_history.models import HistoricalRecords

from oncall_project.base import slack_ids
from oncall_project.base.bounds import REASON_MAX_LENGTH, bounded_text, validate_date_in_window
from oncall_project.base.models import BaseModel


class ScheduleType(models.TextChoices):
    WEEKLY = "weekly"
    DAILY = "daily"


class Origin(models.TextChoices):
    AUTO = "auto"
    MANUAL = "manual"


class OverrideStatus(models.TextChoices):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


class Role(models.TextChoices):
    """Which of a team's on-call lines a row belongs to (rows from before the backup line are
    primary)."""

    PRIMARY = "primary"
    BACKUP = "backup"


def role_field() -> models.CharField:
    return models.CharField(max_length=10, choices=Role.choices, default=Role.PRIMARY)


def role_constraint(prefix: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=Q(role__in=Role.values), name=f"{prefix}_role_valid")


class OnCallSource(models.TextChoices):
    OVERRIDE = "override"
    SCHEDULE = "schedule"
    ROTATION = "rotation"
    TEAM_DEFAULT = "team_default"
    NONE = "none"


def _check_dates(obj) -> None:
    dates = (obj.start_date, obj.end_date)
    # clean() runs even when a field failed to parse; only compare two real dates.
    if all(isinstance(d, datetime.date) for d in dates) and obj.end_date < obj.start_date:
        raise ValidationError({"end_date": "The end date is before the start date."})


class Schedule(BaseModel):
    """Who is on call for a run of dates; `daily` ones only on their days of the week."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="schedules")
    engineer_slack_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    start_date = models.DateField(validators=[validate_date_in_window])
    end_date = models.DateField(validators=[validate_date_in_window])
    schedule_type = models.CharField(
        max_length=10, choices=ScheduleType.choices, default=ScheduleType.WEEKLY
    )
    days_of_week = models.JSONField(default=list, blank=True)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.MANUAL)
    role = role_field()
    created_by = models.CharField(max_length=150, blank=True)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="schedule_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(schedule_type__in=ScheduleType.values), name="schedule_type_valid"
            ),
            models.CheckConstraint(condition=Q(origin__in=Origin.values), name="schedule_origin"),
            role_constraint("schedule"),
            # A retried or concurrent generation can never materialise the same period twice.
            models.UniqueConstraint(
                fields=["team", "role", "start_date"],
                condition=Q(origin="auto"),
                name="schedule_auto_unique_start",
            ),
        ]
        indexes = [models.Index(fields=["team", "end_date", "start_date"])]

    def __str__(self) -> str:
        return f"{self.engineer_slack_id} {self.start_date}–{self.end_date}"

    def clean(self) -> None:
        _check_dates(self)
        days = self.days_of_week
        if not isinstance(days, list) or not all(
            isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days
        ):
            raise ValidationError({"days_of_week": "A list of days, 0 = Monday … 6 = Sunday."})
        if len(set(days)) != len(days):
            raise ValidationError({"days_of_week": "Each day may appear once."})
        if self.schedule_type == ScheduleType.DAILY and not days:
            raise ValidationError({"days_of_week": "A daily schedule needs at least one day."})
        if self.schedule_type == ScheduleType.WEEKLY and days:
            raise ValidationError({"days_of_week": "Only daily schedules have days of the week."})


class Override(BaseModel):
    """Someone covers for a run of dates; may need a lead's approval."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="overrides")
    engineer_slack_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    replaces_slack_id = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_user_id]
    )
    start_date = models.DateField(validators=[validate_date_in_window])
    end_date = models.DateField(validators=[validate_date_in_window])
    reason = bounded_text(REASON_MAX_LENGTH, blank=True)
    status = models.CharField(
        max_length=10, choices=OverrideStatus.choices, default=OverrideStatus.PENDING
    )
    role = role_field()
    requested_by = models.CharField(max_length=150, blank=True)
    approved_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")), name="override_dates_ordered"
            ),
            models.CheckConstraint(
                condition=Q(status__in=OverrideStatus.values), name="override_status_valid"
            ),
            role_constraint("override"),
        ]
        indexes = [models.Index(fields=["team", "status", "end_date"])]

    def __str__(self) -> str:
        return f"{self.engineer_slack_id} {self.start_date}–{self.end_date} ({self.status})"

    def clean(self) -> None:
        _check_dates(self)
        if self.replaces_slack_id and self.replaces_slack_id == self.engineer_slack_id:
            raise ValidationError({"replaces_slack_id": "A person cannot replace themselves."})


class OnCallRecord(BaseModel):
    """The ledger: who actually was on call on each on-call date. Written once, never changed."""

    team = models.ForeignKey("teams.Team", on_delete=models.CASCADE, related_name="oncall_records")
    on_call_date = models.DateField()
    engineer_slack_id = models.CharField(max_length=32, blank=True)
    source = models.CharField(max_length=16, choices=OnCallSource.choices)
    role = role_field()

    history = HistoricalRecords()

    class Meta:
        ordering = ["-on_call_date"]
        # The admin's list, newest first (its ordering ends with the id), without a sort.
        indexes = [models.Index(fields=["on_call_date", "id"], name="oncall_record_date_id")]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "role", "on_call_date"], name="oncall_record_unique"
            ),
            role_constraint("oncall_record"),
            models.CheckConstraint(
                condition=Q(source__in=OnCallSource.values), name="oncall_record_source_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.team_id} {self.on_call_date}: {self.engineer_slack_id or 'nobody'}"

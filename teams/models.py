import datetime
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from oncall_project.base import slack_ids
from oncall_project.base.models import BaseModel


class RotationType(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    CUSTOM_ORDER = "custom_order", "Custom order"
    WEIGHTED = "weighted", "Weighted"


class RotationInterval(models.TextChoices):
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


class TeamRole(models.TextChoices):
    LEAD = "lead"
    MEMBER = "member"


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    # OSError: a key naming a folder of the tz database ("Europe") or too long for a file name.
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValidationError(f"'{value}' is not an IANA time zone.") from exc


def default_handoff_time() -> datetime.time:
    return datetime.time(9, 0)


def new_ical_token() -> str:
    return secrets.token_urlsafe(24)


class Team(BaseModel):
    """A team (the original plan's "service group") and its rotation configuration."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(blank=True)
    slack_group_id = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_group_id]
    )
    slack_channel_id = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_channel_id]
    )
    oncall_engineer = models.CharField(
        max_length=32,
        blank=True,
        validators=[slack_ids.validate_user_id],
        help_text="Fallback on-call when no override, schedule or rotation applies.",
    )
    oncall_usergroup_id = models.CharField(
        max_length=32,
        blank=True,
        validators=[slack_ids.validate_group_id],
        help_text="Optional Slack user group set to the current on-call at each handoff.",
    )
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])
    rotation_enabled = models.BooleanField(default=False)
    rotation_type = models.CharField(
        max_length=20, choices=RotationType.choices, default=RotationType.ROUND_ROBIN
    )
    rotation_order = models.JSONField(default=list, blank=True)
    rotation_interval = models.CharField(
        max_length=10, choices=RotationInterval.choices, default=RotationInterval.WEEKLY
    )
    rotation_start_date = models.DateField(null=True, blank=True)
    handoff_day = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MaxValueValidator(6)],
        help_text="0 = Monday … 6 = Sunday; empty = any day.",
    )
    handoff_time = models.TimeField(default=default_handoff_time)
    lookahead_periods = models.PositiveSmallIntegerField(
        default=4, validators=[MinValueValidator(1), MaxValueValidator(52)]
    )
    current_rotation_index = models.PositiveIntegerField(default=0, editable=False)
    overrides_require_approval = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    next_handoff_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_handoff_date = models.DateField(null=True, blank=True, editable=False)
    current_engineer = models.CharField(max_length=32, blank=True, editable=False)
    # Bumped in the transaction of every write that can change who is on call (teams.actions
    # .lock_team and the handoff), so a state cached under an older one is never used again.
    oncall_version = models.PositiveBigIntegerField(default=0, editable=False)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    ical_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_ical_token,
        editable=False,
        help_text="Secret part of the team's iCal feed URL.",
    )
    metadata = models.JSONField(default=dict, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rotation_type__in=RotationType.values), name="team_rotation_type_valid"
            ),
            models.CheckConstraint(
                condition=Q(rotation_interval__in=RotationInterval.values),
                name="team_rotation_interval_valid",
            ),
            models.CheckConstraint(
                condition=Q(handoff_day__isnull=True) | Q(handoff_day__gte=0, handoff_day__lte=6),
                name="team_handoff_day_range",
            ),
            models.CheckConstraint(
                condition=Q(lookahead_periods__gte=1, lookahead_periods__lte=52),
                name="team_lookahead_range",
            ),
        ]
        indexes = [models.Index(fields=["is_active", "next_handoff_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        order = self.rotation_order
        if not isinstance(order, list) or not all(isinstance(x, str) for x in order):
            raise ValidationError({"rotation_order": "A list of Slack user ids."})
        bad = [x for x in order if not slack_ids.is_user_id(x)]
        if bad:
            raise ValidationError({"rotation_order": f"Not Slack user ids: {', '.join(bad)}."})
        if len(set(order)) != len(order):
            raise ValidationError({"rotation_order": "Each person may appear once."})
        if self.rotation_enabled and not self.rotation_start_date:
            raise ValidationError({"rotation_start_date": "Required when rotation is enabled."})
        if self.rotation_type == RotationType.CUSTOM_ORDER and self.rotation_enabled and not order:
            raise ValidationError({"rotation_order": "Custom order needs at least one person."})


# A share of the rotation, relative to the others': past this, sums of weights lose precision.
MAX_WEIGHT = 1000


class TeamMembership(BaseModel):
    """On-call metadata of one person in a team. Slack's user group says who is in the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    slack_user_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    display_name = models.CharField(max_length=120, blank=True)
    team_role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    is_eligible_for_oncall = models.BooleanField(default=True)
    weight = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(MAX_WEIGHT)]
    )
    in_slack_group = models.BooleanField(null=True, blank=True)
    joined_at = models.DateField(default=datetime.date.today)

    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "joined_at", "slack_user_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "slack_user_id"], name="membership_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="membership_weight_positive"),
            models.CheckConstraint(
                condition=Q(weight__lte=MAX_WEIGHT), name="membership_weight_at_most_max"
            ),
            models.CheckConstraint(
                condition=Q(team_role__in=TeamRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name or self.slack_user_id} in {self.team_id}"


class Unavailability(BaseModel):
    """A person away for some dates; the rotation skips them without losing their turn."""

    slack_user_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    start_date = models.DateField()
    end_date = models.DateField()
    reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        verbose_name_plural = "unavailabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="unavailability_dates"
            ),
        ]

    def clean(self) -> None:
        dates = (self.start_date, self.end_date)
        if all(isinstance(d, datetime.date) for d in dates) and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})

    def __str__(self) -> str:
        return f"{self.slack_user_id} away {self.start_date}–{self.end_date}"


class Person(BaseModel):
    """The Slack identity of a Django user."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    slack_user_id = models.CharField(
        max_length=32, unique=True, null=True, blank=True, validators=[slack_ids.validate_user_id]
    )
    ical_token = models.CharField(max_length=64, unique=True, default=new_ical_token)

    history = HistoricalRecords()

    def __str__(self) -> str:
        return f"{self.user} ({self.slack_user_id or 'no Slack id'})"

"""The settings of a rotation line, shared by a team's primary line (on `Team`) and its backup
line (`BackupLine`): the same names, validation and meaning, so the engine, the actions and the
API read either line alike."""

import datetime

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from oncall_project.base import slack_ids
from oncall_project.base.bounds import validate_date_in_window


class RotationType(models.TextChoices):
    ROUND_ROBIN = "round_robin", "Round robin"
    CUSTOM_ORDER = "custom_order", "Custom order"
    WEIGHTED = "weighted", "Weighted"


class RotationInterval(models.TextChoices):
    DAILY = "daily"
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"


def default_handoff_time() -> datetime.time:
    return datetime.time(9, 0)


class RotationFields(models.Model):
    """How a line's turns go: strategy, period, anchor, handoff and how far ahead it plans."""

    rotation_enabled = models.BooleanField(default=False)
    rotation_type = models.CharField(
        max_length=20, choices=RotationType.choices, default=RotationType.ROUND_ROBIN
    )
    rotation_order = models.JSONField(default=list, blank=True)
    rotation_interval = models.CharField(
        max_length=10, choices=RotationInterval.choices, default=RotationInterval.WEEKLY
    )
    rotation_start_date = models.DateField(
        null=True, blank=True, validators=[validate_date_in_window]
    )
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
    # The rotation's state at the start of a recent period (the engine's `Checkpoint`, as JSON),
    # kept by whoever plans the rotation, so a lookup loads and replays only from there; and
    # that period's first date, so a write dated before it drops it (`forget_checkpoints`).
    rotation_checkpoint = models.JSONField(null=True, blank=True, editable=False)
    rotation_checkpoint_start = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    def clean_rotation(self) -> None:
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


def rotation_constraints(prefix: str) -> list[models.BaseConstraint]:
    """The database's checks of a line's settings, named after its table."""
    Q = models.Q
    return [
        models.CheckConstraint(
            condition=Q(rotation_type__in=RotationType.values), name=f"{prefix}_rotation_type_valid"
        ),
        models.CheckConstraint(
            condition=Q(rotation_interval__in=RotationInterval.values),
            name=f"{prefix}_rotation_interval_valid",
        ),
        models.CheckConstraint(
            condition=Q(handoff_day__isnull=True) | Q(handoff_day__gte=0, handoff_day__lte=6),
            name=f"{prefix}_handoff_day_range",
        ),
        models.CheckConstraint(
            condition=Q(lookahead_periods__gte=1, lookahead_periods__lte=52),
            name=f"{prefix}_lookahead_range",
        ),
    ]


# Bookkeeping of the engine, rewritten at each handoff: no row version for it.
CHECKPOINT_FIELDS = ["rotation_checkpoint", "rotation_checkpoint_start"]

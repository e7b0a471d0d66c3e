import math

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from simple_history.models import HistoricalRecords

from oncall_project.base import slack_ids
from oncall_project.base.models import BaseModel


class Tier(models.TextChoices):
    CRITICAL = "critical"
    STANDARD = "standard"
    LOW = "low"


class ServiceQuerySet(models.QuerySet):
    def named(self, *names: str) -> "ServiceQuerySet":
        """Services named any of `names`, whatever the case, found through the unique index
        on lower(name) (`name__iexact` would read every row)."""
        wanted = sorted({name.lower() for name in names})
        return self.alias(name_lower=Lower("name")).filter(name_lower__in=wanted)


class Service(BaseModel):
    """A service the bug bot asks about; its on-call comes from its team."""

    name = models.CharField(max_length=120)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    service_owner = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_user_id]
    )
    primary_oncall = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_user_id]
    )
    team_slack_group = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_group_id]
    )
    repository_url = models.URLField(max_length=300, blank=True)
    tech_stack = models.CharField(max_length=200, blank=True)
    environment = models.CharField(max_length=40, blank=True, default="production")
    tier = models.CharField(max_length=10, choices=Tier.choices, default=Tier.STANDARD)
    metadata = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    history = HistoricalRecords()

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="service_name_unique_ci"),
            models.CheckConstraint(condition=Q(tier__in=Tier.values), name="service_tier_valid"),
        ]
        indexes = [models.Index(fields=["team", "is_active"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not isinstance(self.metadata, dict):
            raise ValidationError({"metadata": 'An object, e.g. {"runbook": "https://…"}.'})
        if not _storable(self.metadata):
            raise ValidationError({"metadata": "No NUL characters, NaN or infinite numbers."})

    def validate_constraints(self, exclude=None):
        # Django reports a functional unique constraint as a bare non-field error; say which.
        clash = Service.objects.named(self.name).exclude(pk=self.pk)
        if self.name and clash.exists():
            raise ValidationError({"name": f"A service named '{self.name}' already exists."})
        super().validate_constraints(exclude=exclude)


def _storable(value) -> bool:
    """Whether PostgreSQL's jsonb takes the value: it refuses NUL in text and NaN/Infinity
    (which a page's JSON field parses). Walked without recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str) and "\x00" in item:
            return False
        if isinstance(item, float) and not math.isfinite(item):
            return False
        if isinstance(item, dict):
            stack.extend([*item, *item.values()])
        elif isinstance(item, list):
            stack.extend(item)
    return True

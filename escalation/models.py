from django.db import models
from django.db.models import Q
from simple_history.models import HistoricalRecords

from oncall_project.base.models import BaseModel


class EscalationStatus(models.TextChoices):
    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    RESOLVED = "resolved"


class Escalation(BaseModel):
    """A bug that needs a human: who was tagged, at which level, whether anyone answered, and
    whether it is over (resolved)."""

    bug_id = models.CharField(max_length=120)
    severity = models.CharField(max_length=40, blank=True)
    services = models.JSONField(default=list, blank=True)
    channel_id = models.CharField(max_length=32, blank=True)
    thread_ts = models.CharField(max_length=32, blank=True)
    level = models.PositiveSmallIntegerField(default=1)
    mentions = models.JSONField(default=list, blank=True)
    text = models.TextField(blank=True)
    status = models.CharField(
        max_length=16, choices=EscalationStatus.choices, default=EscalationStatus.OPEN
    )
    acknowledged_by = models.CharField(max_length=150, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.CharField(max_length=150, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    ack_timeout_minutes = models.PositiveIntegerField(null=True, blank=True)
    ack_deadline = models.DateTimeField(null=True, blank=True)
    token = models.PositiveIntegerField(default=0, help_text="Fencing token for the climb task.")
    created_by = models.CharField(max_length=150, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(level__gte=1, level__lte=3), name="escalation_level_range"
            ),
            models.CheckConstraint(
                condition=Q(status__in=EscalationStatus.values), name="escalation_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["bug_id", "created_at"]),
            # the sweep for lost climbs: open escalations past their deadline
            models.Index(fields=["status", "ack_deadline"], name="escalation_overdue"),
        ]

    def __str__(self) -> str:
        return f"{self.bug_id} L{self.level} ({self.status})"


class SlackSignature(BaseModel):
    """An inbound Slack request's signature, kept for the replay window so that a replayed
    request is refused by every web process (a per-process cache would only see its own)."""

    signature = models.CharField(max_length=100, unique=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"], name="slack_signature_created")]

    def __str__(self) -> str:
        return f"{self.signature[:16]}… at {self.created_at:%Y-%m-%d %H:%M:%S}"

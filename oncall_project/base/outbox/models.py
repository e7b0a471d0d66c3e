from django.db import models
from django.db.models import Q
from django.utils import timezone

from oncall_project.base.models import BaseModel


class NotificationStatus(models.TextChoices):
    PENDING = "pending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class Notification(BaseModel):
    """The outbox: a Slack message written with the change that causes it, sent after commit.

    Its team and escalation are named by reference only (this app imports neither): they say
    what a message was about, for the admin and the escalation's delivery status."""

    kind = models.CharField(max_length=40)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    escalation = models.ForeignKey(
        "escalation.Escalation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    channel = models.CharField(max_length=32, help_text="Channel id, or a user id for a DM.")
    thread_ts = models.CharField(max_length=32, blank=True)
    text = models.TextField()
    blocks = models.JSONField(default=list, blank=True)
    status = models.CharField(
        max_length=10, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    idempotency_key = models.CharField(max_length=200, unique=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    slack_ts = models.CharField(max_length=32, blank=True)
    update_of = models.CharField(
        max_length=200,
        blank=True,
        help_text="Idempotency key of the posted message this one edits (chat.update).",
    )

    class Meta:
        # The table the escalation app created: the model moved here, its rows stayed put.
        db_table = "escalation_notification"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=NotificationStatus.values), name="notification_status_valid"
            ),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            # A posted message finds the edits waiting for it (delivery.deliver).
            models.Index(
                fields=["update_of"], condition=~Q(update_of=""), name="notification_update_of"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.channel} ({self.status})"

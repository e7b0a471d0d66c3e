from django.db import models

from oncall_project.base.models import BaseModel


class EntityType(models.TextChoices):
    TEAM = "team"
    SERVICE = "service"
    SCHEDULE = "schedule"
    OVERRIDE = "override"
    ROTATION_CONFIG = "rotation_config"
    TEAM_MEMBERSHIP = "team_membership"
    UNAVAILABILITY = "unavailability"
    ESCALATION = "escalation"
    PERSON = "person"
    API_TOKEN = "api_token"
    ACCOUNT = "account"  # a sign-in account: its lockouts


class AuditAction(models.TextChoices):
    """What happened to the entity. Every change made here names one of these; entries the
    legacy import brought keep the old system's codes, so the column itself stays open."""

    CREATED = "created"
    UPDATED = "updated"
    DELETED = "deleted"
    RESTORED = "restored"
    GENERATED = "generated"
    ROTATION_TRIGGERED = "rotation_triggered"
    SYNCED_FROM_SLACK = "synced_from_slack"
    ICAL_TOKEN_RESET = "ical_token_reset"
    OVERRIDE_REQUESTED = "override_requested"
    OVERRIDE_APPROVED = "override_approved"
    OVERRIDE_REJECTED = "override_rejected"
    OVERRIDE_CANCELLED = "override_cancelled"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"
    RESOLVED = "resolved"
    REVOKED = "revoked"
    IMPORTED = "imported"
    LOCKED_OUT = "locked_out"


class ActorType(models.TextChoices):
    USER = "user"
    SYSTEM = "system"


class AuditLog(BaseModel):
    """One domain event: who changed what, old and new values, and why."""

    # Indexed by (team, created_at, id) below, which also serves the foreign key.
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_logs",
        db_index=False,
    )
    entity_type = models.CharField(max_length=32, choices=EntityType.choices)
    entity_id = models.CharField(max_length=64)
    action = models.CharField(max_length=40)
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_id = models.CharField(max_length=150, blank=True)
    changes = models.JSONField(default=dict, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    engineer_slack_id = models.CharField(max_length=64, blank=True)
    previous_engineer_slack_id = models.CharField(max_length=64, blank=True)
    change_type = models.CharField(max_length=40, blank=True)
    change_reason = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        # Lists read newest first, a page at a time from where the last one ended (keyset on
        # created_at, id): each filter a list offers has an index that ends in that order, so
        # a page costs the same at 10 M rows as at 10. The admin's search matches whole ids, each
        # field through its own index (audit.admin_search).
        indexes = [
            models.Index(fields=["created_at", "id"], name="audit_created_idx"),
            models.Index(fields=["team", "created_at", "id"], name="audit_team_created_idx"),
            models.Index(
                fields=["entity_type", "created_at", "id"], name="audit_entity_created_idx"
            ),
            models.Index(fields=["entity_id", "created_at", "id"], name="audit_entity_id_idx"),
            models.Index(fields=["action", "created_at", "id"], name="audit_action_created_idx"),
            models.Index(fields=["actor_id", "created_at", "id"], name="audit_actor_created_idx"),
            models.Index(
                fields=["engineer_slack_id", "created_at", "id"], name="audit_engineer_idx"
            ),
            models.Index(
                fields=["previous_engineer_slack_id", "created_at", "id"], name="audit_previous_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(entity_type__in=EntityType.values),
                name="audit_entity_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(actor_type__in=ActorType.values), name="audit_actor_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity_type}:{self.action} by {self.actor_id or self.actor_type}"

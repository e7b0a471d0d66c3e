"""Every write to services."""

from typing import Any

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound
from oncall_project.base.writes import apply_changes, created_values
from services.models import Service
from teams.models import Team
from teams.permissions import ensure_can_manage_team, ensure_staff

SERVICE_FIELDS = frozenset(
    {
        "name",
        "team",
        "service_owner",
        "primary_oncall",
        "team_slack_group",
        "repository_url",
        "tech_stack",
        "environment",
        "tier",
        "metadata",
    }
)


def _ensure_can_manage(actor: Actor | None, team: Team | None) -> None:
    """Staff manage every service; a team's leads manage that team's services."""
    if team is None:
        ensure_staff(actor)
    else:
        ensure_can_manage_team(actor, team)


def lock_service(service_id: Any) -> Service:
    try:
        return (
            Service.objects.select_for_update(of=("self",))
            .select_related("team")
            .get(pk=service_id)
        )
    except (Service.DoesNotExist, ValueError) as exc:
        raise NotFound("No such service.") from exc


@transaction.atomic
def service_create(*, actor: Actor | None, **fields: Any) -> Service:
    _ensure_can_manage(actor, fields.get("team"))
    service = Service()
    apply_changes(service, fields, SERVICE_FIELDS)
    record(
        AuditEvent(
            entity_type=EntityType.SERVICE,
            entity_id=service.pk,
            action=AuditAction.CREATED,
            actor=actor,
            team=service.team,
            changes=created_values(service, sorted(set(fields) | {"name"})),
        )
    )
    return service


@transaction.atomic
def service_update(*, service: Service, actor: Actor | None, **changes: Any) -> Service:
    service = lock_service(service.pk)
    _ensure_can_manage(actor, service.team)
    if "team" in changes and changes["team"] != service.team:
        _ensure_can_manage(actor, changes["team"])
    changed = apply_changes(service, changes, SERVICE_FIELDS)
    if changed:
        record(
            AuditEvent(
                entity_type=EntityType.SERVICE,
                entity_id=service.pk,
                action=AuditAction.UPDATED,
                actor=actor,
                team=service.team,
                changes=changed,
            )
        )
    return service


def _set_active(
    service: Service, actor: Actor | None, active: bool, action: AuditAction
) -> Service:
    service = lock_service(service.pk)
    _ensure_can_manage(actor, service.team)
    if service.is_active == active:
        return service
    changed = apply_changes(service, {"is_active": active}, frozenset({"is_active"}))
    record(
        AuditEvent(
            entity_type=EntityType.SERVICE,
            entity_id=service.pk,
            action=action,
            actor=actor,
            team=service.team,
            changes=changed,
        )
    )
    return service


@transaction.atomic
def service_soft_delete(*, service: Service, actor: Actor | None) -> Service:
    return _set_active(service, actor, False, AuditAction.DELETED)


@transaction.atomic
def service_restore(*, service: Service, actor: Actor | None) -> Service:
    return _set_active(service, actor, True, AuditAction.RESTORED)

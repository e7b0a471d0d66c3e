"""Every write to services."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound
from oncall_project.base.writes import UNSET, Fields, Unset, apply_changes, created_values
from services.models import Service
from teams.models import Team
from teams.people import person_require_if_changed
from teams.permissions import ensure_can_manage_team, ensure_staff
from teams.slack_first import asks_slack_first


@dataclass(frozen=True, kw_only=True)
class ServiceFields(Fields):
    """A service's own fields: its team, who answers for it, and facts about its code."""

    name: str | Unset = UNSET
    team: Team | Unset | None = UNSET
    service_owner: str | Unset = UNSET
    primary_oncall: str | Unset = UNSET
    team_slack_group: str | Unset = UNSET
    repository_url: str | Unset = UNSET
    tech_stack: str | Unset = UNSET
    environment: str | Unset = UNSET
    tier: str | Unset = UNSET
    metadata: dict | Unset = UNSET


def ensure_can_manage_service(actor: Actor | None, team: Team | None) -> None:
    """Staff manage every service; a team's leads manage that team's services."""
    if team is None:
        ensure_staff(actor)
    else:
        ensure_can_manage_team(actor, team)


def _require_people(given: dict, service: Service, actor: Actor | None) -> None:
    """The owner and the primary on-call a write sets are people the directory knows."""
    for field in ("service_owner", "primary_oncall"):
        person_require_if_changed(
            field=field,
            slack_user_id=given.get(field),
            current=getattr(service, field),
            actor=actor,
        )


def lock_service(service_id: Any) -> Service:
    try:
        return (
            Service.objects.select_for_update(of=("self",))
            .select_related("team")
            .get(pk=service_id)
        )
    except (Service.DoesNotExist, ValueError) as exc:
        raise NotFound("No such service.") from exc


@asks_slack_first
@transaction.atomic
def service_create(*, actor: Actor | None, fields: ServiceFields) -> Service:
    given = fields.given()
    ensure_can_manage_service(actor, given.get("team"))
    service = Service()
    _require_people(given, service, actor)
    apply_changes(service, given)
    record(
        AuditEvent(
            entity_type=EntityType.SERVICE,
            entity_id=service.pk,
            action=AuditAction.CREATED,
            actor=actor,
            team=service.team,
            changes=created_values(service, sorted(set(given) | {"name"})),
        )
    )
    return service


@asks_slack_first
@transaction.atomic
def service_update(*, service: Service, actor: Actor | None, changes: ServiceFields) -> Service:
    given = changes.given()
    service = lock_service(service.pk)
    ensure_can_manage_service(actor, service.team)
    if "team" in given and given["team"] != service.team:
        ensure_can_manage_service(actor, given["team"])
    _require_people(given, service, actor)
    changed = apply_changes(service, given)
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
    ensure_can_manage_service(actor, service.team)
    if service.is_active == active:
        return service
    changed = apply_changes(service, {"is_active": active})
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

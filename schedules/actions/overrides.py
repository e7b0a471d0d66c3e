"""Override requests and their state machine: pending → approved | rejected | cancelled,
approved → cancelled. Row locks make two people deciding at once see each other's decision."""

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Conflict, Forbidden, InvalidInput, NotFound
from oncall_project.base.outbox.queue import enqueue
from oncall_project.base.writes import UNSET, Fields, Unset, apply_changes, created_values
from schedules import messages
from schedules.actions.line_clash import ensure_not_on_other_line
from schedules.actions.rotation import after_primary_change, before_primary_change
from schedules.domain import days_text
from schedules.lines import line_today, override_has_ended
from schedules.models import Override, OverrideStatus, Role
from teams.actions import ensure_team_active, lock_team
from teams.checkpoints import forget_checkpoints
from teams.models import Team
from teams.people import person_require, person_require_if_changed
from teams.permissions import (
    can_manage_team,
    ensure_can_manage_team,
    ensure_may_request_override,
)
from teams.selectors import person_label
from teams.slack_first import asks_slack_first


@dataclass(frozen=True, kw_only=True)
class OverrideFields(Fields):
    """An override request: who covers (and for whom), which dates (`end_date` inclusive)."""

    engineer_slack_id: str | Unset = UNSET
    replaces_slack_id: str | Unset = UNSET
    start_date: datetime.date | Unset = UNSET
    end_date: datetime.date | Unset = UNSET
    reason: str | Unset = UNSET


TRANSITIONS = {
    OverrideStatus.PENDING: {
        OverrideStatus.APPROVED,
        OverrideStatus.REJECTED,
        OverrideStatus.CANCELLED,
    },
    OverrideStatus.APPROVED: {OverrideStatus.CANCELLED},
}
LIVE = (OverrideStatus.PENDING, OverrideStatus.APPROVED)
DECISIONS = {
    OverrideStatus.APPROVED: AuditAction.OVERRIDE_APPROVED,
    OverrideStatus.REJECTED: AuditAction.OVERRIDE_REJECTED,
    OverrideStatus.CANCELLED: AuditAction.OVERRIDE_CANCELLED,
}


def ensure_no_overlap(override: Override) -> None:
    clash = (
        Override.objects.filter(
            team_id=override.team_id,
            role=override.role,
            status__in=LIVE,
            start_date__lte=override.end_date,
            end_date__gte=override.start_date,
        )
        .exclude(pk=override.pk)
        .first()
    )
    if clash:
        message = (
            f"Overlaps the {clash.status} override of {person_label(clash.engineer_slack_id)} "
            f"({clash.start_date} to {clash.end_date})."
        )
        raise Conflict(message, {"start_date": [message]})


def ensure_not_past(override: Override, today: datetime.date) -> None:
    """An override that ends before the team's current on-call date would change nobody's
    on-call, only the ledger's story of who was: refused."""
    if override.end_date < today:
        # One message, said once (beside the field on a page), with the date as people read it.
        message = f"Ends before today's on-call date ({today:%a %-d %b %Y}): pick a later date."
        raise InvalidInput(message, {"end_date": [message]})


@asks_slack_first
@transaction.atomic
def override_request(
    *,
    team: Team,
    actor: Actor | None,
    fields: OverrideFields,
    now: datetime.datetime | None = None,
    role: str = Role.PRIMARY,
) -> Override:
    """The team's members, leads and staff may ask (teams.permissions); the team's config says
    whether a lead must approve. Who covers may come from another team. The override covers the
    team's `role` line (primary or backup; it stays on that line).

    An override ending before today's on-call date is refused, except from the system (actor
    None), which records history (demo data, imports)."""
    team = lock_team(team.pk)
    ensure_may_request_override(actor, team)
    ensure_team_active(team)
    _require_people(fields, actor)
    today = line_today(team, role, now or timezone.now())

    def checks(override: Override) -> None:
        if actor is not None:
            ensure_not_past(override, today)
        ensure_no_overlap(override)
        ensure_not_on_other_line(
            team, role, override.engineer_slack_id, override.start_date, override.end_date
        )

    auto_approved = not team.overrides_require_approval
    override = Override(
        team=team,
        role=role,
        requested_by=actor.id if actor else "system",
        status=OverrideStatus.APPROVED if auto_approved else OverrideStatus.PENDING,
    )
    if auto_approved:
        override.decided_at = timezone.now()
    snapshot = before_primary_change(team, role, now, changes_who=auto_approved)
    apply_changes(override, fields.given(), before_save=checks)
    if auto_approved:
        forget_checkpoints([team], override.start_date)
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.OVERRIDE,
            entity_id=override.pk,
            action=AuditAction.OVERRIDE_REQUESTED,
            actor=actor,
            team=team,
            changes=created_values(override, ["status", *sorted(OverrideFields.names())]),
            metadata={"role": override.role},
            engineer_slack_id=override.engineer_slack_id,
            previous_engineer_slack_id=override.replaces_slack_id,
            change_type="override_created",
            change_reason=override.reason,
            effective_date=override.start_date,
        )
    )
    after_primary_change(team, actor, snapshot, f"override:{entry.pk}")
    enqueue(
        [
            messages.override_request_message(
                override_id=override.pk,
                team_id=team.pk,
                team_name=team.name,
                channel=team.slack_channel_id,
                engineer=override.engineer_slack_id,
                replaces=override.replaces_slack_id,
                start=override.start_date,
                end=override.end_date,
                reason=override.reason,
                requested_by=override.requested_by,
                needs_approval=not auto_approved,
            )
        ]
    )
    return override


def _require_people(fields: OverrideFields, actor: Actor | None) -> None:
    """Everyone an override names is someone the directory (or Slack) knows."""
    given = fields.given()
    for field in ("engineer_slack_id", "replaces_slack_id"):
        person_require_if_changed(
            field=field, slack_user_id=given.get(field), current="", actor=actor
        )
    if actor is not None and actor.slack_user_id:
        person_require(field="requested_by", slack_user_id=actor.slack_user_id, actor=actor)


def _ensure_may_decide(actor: Actor | None, override: Override, status: str) -> None:
    if status != OverrideStatus.CANCELLED:
        ensure_can_manage_team(actor, override.team)
        return
    # By Slack identity, never by username: only people with one request or cover overrides
    # (staff without one manage the team anyway), and a username may look like anyone's id.
    mine = actor.slack_user_id if actor is not None else ""
    own = bool(mine) and mine in {override.requested_by, override.engineer_slack_id}
    if not (own or can_manage_team(actor, override.team)):
        raise Forbidden("Only the requester, the covering engineer, a lead or staff may cancel.")


def _lock_override(override: Override, actor: Actor | None, status: str) -> tuple[Override, Team]:
    """The override and its team, locked, once the decision is allowed and still possible."""
    try:
        override = (
            Override.objects.select_for_update(of=("self",))
            .select_related("team")
            .get(pk=override.pk)
        )
    except Override.DoesNotExist as exc:
        raise NotFound("No such override.") from exc
    _ensure_may_decide(actor, override, status)
    # A decision changes who is on call: a new on-call version.
    team = lock_team(override.team_id)
    ensure_team_active(team)
    if status not in TRANSITIONS.get(override.status, set()):
        raise Conflict(f"An override that is {override.status} cannot become {status}.")
    # The system (actor None) records history, as for a request (demo data, imports).
    takes_effect = OverrideStatus.APPROVED in (status, override.status)
    if actor is not None and takes_effect and override_has_ended(override):
        verb = "approved" if status == OverrideStatus.APPROVED else "cancelled"
        raise Conflict(
            f"This override ended on {days_text(override.end_date, override.end_date)}: it "
            f"can no longer be {verb}, which would only rewrite who was on call then (the "
            "on-call history keeps who really was)."
        )
    if status == OverrideStatus.APPROVED:
        # The lines may have moved since the request.
        ensure_not_on_other_line(
            team, override.role, override.engineer_slack_id, override.start_date, override.end_date
        )
    return override, team


@transaction.atomic
def override_decide(
    *, override: Override, actor: Actor | None, status: str, reason: str = ""
) -> Override:
    if status not in DECISIONS:
        raise InvalidInput(
            f"'{status}' is not a decision.",
            {"status": ["Must be one of: approved, rejected, cancelled."]},
        )
    override, team = _lock_override(override, actor, status)
    # Approving, or cancelling an approved one, changes who is on call; the rest do not.
    takes_effect = OverrideStatus.APPROVED in (status, override.status)
    snapshot = before_primary_change(team, override.role, None, changes_who=takes_effect)
    changes: dict[str, Any] = {"status": status, "decided_at": timezone.now()}
    if status != OverrideStatus.CANCELLED:
        changes["approved_by"] = actor.id if actor else "system"
    changed = apply_changes(override, changes)
    if takes_effect:
        forget_checkpoints([team], override.start_date)
    [entry] = record(
        AuditEvent(
            entity_type=EntityType.OVERRIDE,
            entity_id=override.pk,
            action=DECISIONS[status],
            actor=actor,
            team=override.team,
            changes=changed,
            metadata={"role": override.role},
            engineer_slack_id=override.engineer_slack_id,
            previous_engineer_slack_id=override.replaces_slack_id,
            change_reason=reason,
            effective_date=override.start_date,
        )
    )
    after_primary_change(team, actor, snapshot, f"override:{entry.pk}")
    enqueue(
        messages.override_decision_messages(
            override_id=override.pk,
            team_id=override.team_id,
            team_name=override.team.name,
            status=status,
            decided_by=actor.id if actor else "system",
            engineer=override.engineer_slack_id,
            requested_by=override.requested_by,
            start=override.start_date,
            end=override.end_date,
        )
    )
    return override


def override_cancel(*, override: Override, actor: Actor | None, reason: str = "") -> Override:
    return override_decide(
        override=override, actor=actor, status=OverrideStatus.CANCELLED, reason=reason
    )

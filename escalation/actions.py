"""Escalations: record, tag the right people in the bug's thread, climb when nobody answers."""

import datetime
from dataclasses import dataclass, field

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.log import AuditEvent, record
from audit.models import AuditAction, EntityType
from escalation import domain, messages
from escalation.acknowledgers import acknowledger_for
from escalation.audience import audience_for
from escalation.models import Escalation, EscalationStatus, SlackSignature
from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput, NotFound
from oncall_project.base.outbox.queue import Message, enqueue
from oncall_project.base.slack_ids import validate_channel_id
from oncall_project.base.writes import serialise_writers_of
from schedules.messages import plain

RECENT = datetime.timedelta(minutes=5)
CLIMB_TASK = "escalation.tasks.climb_escalation"


@dataclass(frozen=True)
class EscalationOutcome:
    escalation: Escalation
    created: bool


@dataclass(frozen=True, kw_only=True)
class EscalationRequest:
    """What the bot asks for: tag this level's people for `services` in a bug's Slack thread.
    Its shape (types, lengths) is checked where it comes in (the API's serializer); the action
    checks the rules below."""

    bug_id: str
    channel_id: str
    severity: str = ""
    services: list[str] = field(default_factory=list)
    thread_ts: str = ""
    escalation_level: int = 1
    ack_timeout_minutes: int | None = None


def _check_rules(request: EscalationRequest) -> list[str]:
    """A bug named, a list of services, a Slack channel to post in, a level that exists, an
    acknowledgement timeout within the limit; the services' names, trimmed."""
    errors: dict[str, list[str]] = {}
    if not request.bug_id.strip():
        errors["bug_id"] = ["A bug id of 1 to 120 characters."]
    services = request.services
    if not isinstance(services, list | tuple) or not all(isinstance(s, str) for s in services):
        errors["services"] = ["A list of service names."]
    try:
        validate_channel_id(request.channel_id or "?")
    except ValidationError as exc:
        errors["channel_id"] = exc.messages
    if request.escalation_level not in range(1, domain.MAX_LEVEL + 1):
        errors["escalation_level"] = [f"A level from 1 to {domain.MAX_LEVEL}."]
    limit = settings.ESCALATION_MAX_ACK_MINUTES
    if request.ack_timeout_minutes not in (None, *range(1, limit + 1)):
        errors["ack_timeout_minutes"] = [f"Minutes from 1 to {limit}."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], errors)
    return [s.strip() for s in services if s.strip()]


@transaction.atomic
def escalation_create(
    *, actor: Actor | None, request: EscalationRequest, now: datetime.datetime | None = None
) -> EscalationOutcome:
    services = _check_rules(request)
    now = now or timezone.now()
    bug_id, level = request.bug_id, request.escalation_level
    # Two bot retries for one bug at once must not both page.
    serialise_writers_of(f"escalation:{bug_id}")
    # A retry finds its escalation even after it climbed past the level asked for; a resolved
    # one is over, and the bug back again is paged anew.
    recent = (
        Escalation.objects.filter(bug_id=bug_id, level__gte=level, created_at__gte=now - RECENT)
        .exclude(status=EscalationStatus.RESOLVED)
        .first()
    )
    if recent is not None:
        return EscalationOutcome(recent, created=False)
    escalation = Escalation.objects.create(
        bug_id=bug_id,
        severity=request.severity,
        services=services,
        channel_id=request.channel_id,
        thread_ts=request.thread_ts,
        level=level,
        ack_timeout_minutes=request.ack_timeout_minutes,
        created_by=actor.id if actor else "system",
    )
    _page(escalation, now)
    record(
        AuditEvent(
            entity_type=EntityType.ESCALATION,
            entity_id=escalation.pk,
            action=AuditAction.CREATED,
            actor=actor,
            changes={
                "level": {"old": None, "new": escalation.level},
                "mentions": {"old": None, "new": escalation.mentions},
            },
            metadata={"bug_id": bug_id, "services": services},
        )
    )
    return EscalationOutcome(escalation, created=True)


def _page(
    escalation: Escalation, now: datetime.datetime, already_tagged: list[str] | None = None
) -> None:
    """Tag this level's people in the bug's thread; arm the climb if an ack is due."""
    audience = audience_for(escalation.services, now)
    targets = domain.targets_for_level(audience, escalation.level)
    escalation.mentions = [t.mention for t in targets]
    escalation.text = domain.escalation_text(  # mark-up: what the bot sent is printed as is
        bug_id=plain(escalation.bug_id),
        severity=plain(escalation.severity),
        services=[plain(name) for name in escalation.services],
        level=escalation.level,
        mentions=escalation.mentions,
        already_tagged=already_tagged,
    )
    escalation.token += 1
    if escalation.ack_timeout_minutes:
        escalation.ack_deadline = now + datetime.timedelta(minutes=escalation.ack_timeout_minutes)
    escalation.save(update_fields=["mentions", "text", "token", "ack_deadline", "updated_at"])
    enqueue([_thread_message(escalation)])
    if escalation.ack_deadline and domain.next_level(escalation.level):
        args = [str(escalation.pk), escalation.token]
        eta = escalation.ack_deadline

        # By name: the task (escalation.tasks) calls these actions, so they cannot import it.
        transaction.on_commit(lambda: current_app.send_task(CLIMB_TASK, args=args, eta=eta))


def _thread_message(escalation: Escalation) -> Message:
    blocks = [
        {"type": "section", "text": {"type": "mrkdwn", "text": escalation.text}},
        messages.escalation_buttons(escalation.pk, acknowledge=True),
    ]
    return Message(
        kind="escalation",
        channel=escalation.channel_id,
        text=escalation.text,
        idempotency_key=f"escalation:{escalation.pk}:level{escalation.level}",
        blocks=blocks,
        thread_ts=escalation.thread_ts,
        escalation_id=escalation.pk,
    )


def _lock(escalation_id) -> Escalation:
    try:
        return Escalation.objects.select_for_update().get(pk=escalation_id)
    except (Escalation.DoesNotExist, ValueError, ValidationError) as exc:
        raise NotFound("No such escalation.") from exc


@transaction.atomic
def escalation_acknowledge(
    *, escalation_id, actor: Actor | None, on_behalf_of: str = ""
) -> Escalation:
    """Stop the climb, by someone allowed to (escalation.acknowledgers), or by a machine token
    on behalf of such a person (`on_behalf_of`; the audit names both). Acknowledging twice is
    harmless: the first answer stands."""
    escalation = _lock(escalation_id)
    acknowledger = acknowledger_for(actor=actor, on_behalf_of=on_behalf_of, escalation=escalation)
    if escalation.status == EscalationStatus.OPEN:
        _answer(escalation, EscalationStatus.ACKNOWLEDGED, acknowledger, actor, on_behalf_of)
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation_id, actor: Actor | None, on_behalf_of: str = "") -> Escalation:
    """Close the escalation: the bug is handled. Whoever may acknowledge it may resolve it, open
    (which also stops the climb) or acknowledged. Resolving twice is harmless: the first
    resolution stands."""
    escalation = _lock(escalation_id)
    resolver = acknowledger_for(
        actor=actor, on_behalf_of=on_behalf_of, escalation=escalation, verb="resolve"
    )
    if escalation.status != EscalationStatus.RESOLVED:
        _answer(escalation, EscalationStatus.RESOLVED, resolver, actor, on_behalf_of)
    return escalation


def _answer(
    escalation: Escalation,
    status: EscalationStatus,
    by: str,
    actor: Actor | None,
    on_behalf_of: str,
) -> None:
    """Move the locked escalation to `status` (acknowledged or resolved), recording who and
    when in its `<status>_by` and `<status>_at`; fence off any climb still queued, audit it,
    and tell the bug's thread."""
    previous, field = escalation.status, f"{status}_by"
    escalation.status = status
    setattr(escalation, field, by)
    setattr(escalation, f"{status}_at", timezone.now())
    escalation.token += 1  # fences off any climb task still queued
    escalation.save(update_fields=["status", field, f"{status}_at", "token", "updated_at"])
    record(
        AuditEvent(
            entity_type=EntityType.ESCALATION,
            entity_id=escalation.pk,
            action=AuditAction(status.value),
            actor=actor,
            changes={"status": {"old": previous, "new": status}, field: {"old": "", "new": by}},
            metadata={"on_behalf_of": on_behalf_of} if on_behalf_of else None,
        )
    )
    posted = escalation.notifications.filter(kind="escalation").order_by("created_at")
    answered = messages.Answer(
        escalation_id=escalation.pk,
        bug_id=escalation.bug_id,
        channel=escalation.channel_id,
        thread_ts=escalation.thread_ts,
        answer=status.value,
        by=by,
        posted_keys=list(posted.values_list("idempotency_key", flat=True)),
    )
    enqueue(messages.escalation_answered_messages(answered))


@transaction.atomic
def escalation_climb(
    *, escalation_id, token: int, now: datetime.datetime | None = None
) -> Escalation | None:
    """Move an unacknowledged escalation up one level. A duplicate, late or stale task (its
    token no longer current) does nothing."""
    escalation = Escalation.objects.select_for_update().filter(pk=escalation_id).first()
    if escalation is None or escalation.token != token:
        return None
    if escalation.status != EscalationStatus.OPEN or not domain.next_level(escalation.level):
        return None
    previous, tagged = escalation.level, list(escalation.mentions)
    escalation.level = domain.next_level(previous)
    escalation.save(update_fields=["level", "updated_at"])
    _page(escalation, now or timezone.now(), already_tagged=tagged)
    record(
        AuditEvent(
            entity_type=EntityType.ESCALATION,
            entity_id=escalation.pk,
            action=AuditAction.ESCALATED,
            actor=None,
            changes={
                "level": {"old": previous, "new": escalation.level},
                "mentions": {"old": tagged, "new": escalation.mentions},
            },
        )
    )
    return escalation


@transaction.atomic
def slack_signature_remember(*, signature: str, keep_seconds: int, now=None) -> bool:
    """Note an inbound Slack request's signature; False if it was seen already (a replay),
    in any process: the unique key decides. Bookkeeping, not audited. Signatures older than
    `keep_seconds` (past the verifier's freshness window) are forgotten on the way."""
    now = now or timezone.now()
    SlackSignature.objects.filter(
        created_at__lt=now - datetime.timedelta(seconds=keep_seconds)
    ).delete()
    try:
        with transaction.atomic():
            SlackSignature.objects.create(signature=signature)
    except IntegrityError:
        return False
    return True

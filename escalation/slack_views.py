"""Inbound Slack: the `/oncall` slash command and button clicks. Every request must carry a
valid signature with a fresh timestamp (slack-sdk's SignatureVerifier), else 401."""

import json
import logging
import re
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from slack_sdk.signature import SignatureVerifier

from escalation.actions import (
    escalation_acknowledge,
    escalation_resolve,
    slack_signature_remember,
)
from escalation.models import Escalation, EscalationStatus
from escalation.oncall_reply import oncall_reply
from oncall_project.base.actors import Actor
from oncall_project.base.errors import DomainError
from oncall_project.base.text import unstorable
from schedules.actions import override_decide
from schedules.messages import actor as named
from schedules.messages import user
from schedules.models import Override
from teams import slack_proof
from teams.selectors import slack_actor

logger = logging.getLogger(__name__)


# The verifier takes a timestamp up to five minutes either side of our clock, so a request
# stays fresh for up to ten minutes after it arrives: its signature is kept a little longer.
REPLAY_WINDOW_SECONDS = 60 * 11
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _verified(request: HttpRequest) -> bool:
    """A valid signature over a fresh timestamp, never seen before (a replayed request is
    refused even inside the freshness window)."""
    secret = settings.SLACK_SIGNING_SECRET
    if not secret:
        return False
    timestamp = request.headers.get("X-Slack-Request-Timestamp", "")
    signature = request.headers.get("X-Slack-Signature", "")
    # slack-sdk raises, rather than refusing, on a timestamp int() cannot read and on a
    # signature hmac cannot compare (not ASCII): anyone may send those.
    if not (_TIMESTAMP.fullmatch(timestamp) and signature.isascii()):
        return False
    if not SignatureVerifier(secret).is_valid(request.body, timestamp, signature):
        return False
    # In the database, not the cache: every web process must see every signature.
    return slack_signature_remember(signature=signature, keep_seconds=REPLAY_WINDOW_SECONDS)


def _refused() -> HttpResponse:
    return HttpResponse("Invalid, stale or replayed Slack signature.", status=401)


def _reply(text: str) -> JsonResponse:
    return JsonResponse({"response_type": "ephemeral", "text": text})


@csrf_exempt
@require_POST
def slack_command(request: HttpRequest) -> HttpResponse:
    if not _verified(request):
        return _refused()
    # Its form body is text that can be stored (oncall_project.base.request_text).
    query, caller = request.POST.get("text", ""), request.POST.get("user_id", "")
    if query.strip().lower() == "link":
        return _reply(_link_reply(request))
    return _reply(oncall_reply(query, caller, timezone.now()))


@csrf_exempt
@require_POST
def slack_interaction(request: HttpRequest) -> HttpResponse:
    if not _verified(request):
        return _refused()
    try:
        payload = json.loads(request.POST.get("payload", ""))
        action = payload["actions"][0]
        action_id, value = action.get("action_id"), action.get("value", "")
        user_id = payload["user"]["id"]
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return HttpResponse("Malformed interaction payload.", status=400)
    if not (isinstance(value, str) and isinstance(user_id, str)):
        return HttpResponse("Malformed interaction payload.", status=400)
    found = unstorable(payload)
    if found:
        where, problem = ".".join(found[0]), found[1]
        return HttpResponse(f"Malformed interaction payload: {where}: {problem}", status=400)
    try:
        return _reply(_handle(action_id, value, slack_actor(user_id)))
    except DomainError as exc:
        return _reply(f":no_entry: {exc.message}")


def _link_reply(request: HttpRequest) -> str:
    """Slack vouches for the caller (the request is signed): hand them a short-lived link that
    ties their On-call account to this Slack user."""
    caller = request.POST.get("user_id", "")
    proof = slack_proof.issue(caller)
    url = request.build_absolute_uri(reverse("teams:profile-link", kwargs={"proof": proof}))
    minutes = slack_proof.MAX_AGE_SECONDS // 60
    return (
        f"Open this link while signed in to On-call to link your account to {user(caller)} "
        f"(valid {minutes} minutes, only for you): {url}"
    )


def _handle(action_id: str, value: str, actor: Actor) -> str:
    if action_id in {"override_approve", "override_reject"}:
        override = Override.objects.filter(pk=value).first() if _is_uuid(value) else None
        if override is None:
            return "That override no longer exists."
        status = "approved" if action_id == "override_approve" else "rejected"
        override = override_decide(override=override, actor=actor, status=status)
        return f"Override for {user(override.engineer_slack_id)} {override.status}."
    if action_id == "escalation_ack":
        return _answered(escalation_acknowledge(escalation_id=value, actor=actor))
    if action_id == "escalation_resolve":
        return _answered(escalation_resolve(escalation_id=value, actor=actor))
    return "Unknown action."


def _answered(escalation: Escalation) -> str:
    """Where the escalation stands after the press: a late Acknowledge learns who resolved it."""
    if escalation.status == EscalationStatus.RESOLVED:
        return f"Resolved by {named(escalation.resolved_by)}."
    return f"Acknowledged by {named(escalation.acknowledged_by)}."


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except (ValueError, TypeError):
        return False
    return True

"""/escalations/, /escalations/{id}/, /escalations/{id}/ack/ and /escalations/{id}/resolve/: the
bot pages the on-call of a bug's services in its Slack thread, someone acknowledges, and someone
resolves it once the bug is handled."""

import re

import django_filters
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action

from escalation.actions import (
    EscalationRequest,
    escalation_acknowledge,
    escalation_create,
    escalation_resolve,
)
from escalation.domain import MAX_LEVEL
from escalation.models import Escalation, EscalationStatus
from escalation.selectors import escalation_list
from oncall_project.base.api.inputs import InputSerializer
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.outbox.models import NotificationStatus
from teams.api.names import PersonNameField
from teams.selectors import with_names

SLACK_TS = re.compile(r"^\d{1,12}\.\d{1,8}$")


class EscalationSerializer(serializers.ModelSerializer):
    acknowledged_by_name = PersonNameField(id_field="acknowledged_by")
    resolved_by_name = PersonNameField(id_field="resolved_by")
    created_by_name = PersonNameField(id_field="created_by")
    services = serializers.ListField(child=serializers.CharField(), read_only=True)
    mentions = serializers.ListField(
        child=serializers.CharField(),
        read_only=True,
        help_text="Who this level tagged, in order: `<@U…>` or `<!subteam^S…>`.",
    )
    delivery = serializers.ChoiceField(
        choices=NotificationStatus.choices,
        read_only=True,
        allow_null=True,
        help_text="The thread message's delivery: pending, sent, failed, or skipped (no Slack "
        "token configured).",
    )

    class Meta:
        model = Escalation
        fields = [
            "id",
            "bug_id",
            "severity",
            "services",
            "channel_id",
            "thread_ts",
            "level",
            "mentions",
            "text",
            "status",
            "acknowledged_by",
            "acknowledged_by_name",
            "acknowledged_at",
            "resolved_by",
            "resolved_by_name",
            "resolved_at",
            "ack_timeout_minutes",
            "ack_deadline",
            "delivery",
            "created_by",
            "created_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class SlackTimestampField(serializers.CharField):
    """A Slack message ts, as the string Slack gives (a JSON number would lose digits)."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if value and not SLACK_TS.match(value):
            raise serializers.ValidationError('A Slack message ts, e.g. "1700000000.000100".')
        return value


class EscalationInputSerializer(InputSerializer):
    bug_id = serializers.CharField(max_length=120)
    severity = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    services = serializers.ListField(
        child=serializers.CharField(max_length=120),
        max_length=100,
        required=False,
        default=list,
        help_text="Service names, any case; unknown names tag nobody.",
    )
    channel_id = serializers.CharField(max_length=32, help_text="The bug's Slack channel (C…).")
    thread_ts = SlackTimestampField(
        required=False, allow_blank=True, default="", help_text="The bug thread's ts, a string."
    )
    escalation_level = serializers.IntegerField(
        min_value=1,
        max_value=MAX_LEVEL,
        default=1,
        help_text="1 tags each service's on-call, 2 adds each team's backup on-call (its leads "
        "where it has no backup line), 3 the Slack groups.",
    )
    ack_timeout_minutes = serializers.IntegerField(
        min_value=1,
        required=False,
        allow_null=True,
        help_text="Unacknowledged after this many minutes, the escalation climbs a level "
        "(up to ESCALATION_MAX_ACK_MINUTES, 240 by default).",
    )


class EscalationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=EscalationStatus.choices)
    bug_id = django_filters.CharFilter()

    class Meta:
        model = Escalation
        fields = ["status", "bug_id"]


ESCALATION_REQUEST_EXAMPLE = OpenApiExample(
    "Level 1 for two services",
    value={
        "bug_id": "BUG-1234",
        "severity": "high",
        "services": ["Payment", "Bill"],
        "channel_id": "C_BUGS",
        "thread_ts": "1700000000.000100",
        "escalation_level": 1,
        "ack_timeout_minutes": 15,
    },
    request_only=True,
)
ESCALATION_RESPONSE_EXAMPLE = OpenApiExample(
    "The Payments on-call tagged",
    value={
        "id": "3d5e1a9c-52a4-4a55-9f7e-2b5f1d3c4e6f",
        "bug_id": "BUG-1234",
        "severity": "high",
        "services": ["Payment", "Bill"],
        "channel_id": "C_BUGS",
        "thread_ts": "1700000000.000100",
        "level": 1,
        "mentions": ["<@U_ALICE>"],
        "text": ":rotating_light: *Escalation (Level 1) for BUG-1234 (Severity: high) — "
        "Services: Payment, Bill — Requires human investigation.*\n"
        "<@U_ALICE> please investigate.",
        "status": "open",
        "acknowledged_by": "",
        "acknowledged_by_name": None,
        "acknowledged_at": None,
        "resolved_by": "",
        "resolved_by_name": None,
        "resolved_at": None,
        "ack_timeout_minutes": 15,
        "ack_deadline": "2026-12-07T10:45:00Z",
        "delivery": "pending",
        "created_by": "bug-bot",
        "created_by_name": None,
        "created_at": "2026-12-07T10:30:00Z",
        "updated_at": "2026-12-07T10:30:00Z",
    },
    response_only=True,
)


class AckInputSerializer(InputSerializer):
    acknowledged_by = serializers.CharField(
        required=False,
        max_length=32,
        help_text="The Slack user id of the person acknowledging: required from a machine "
        "token, which acts on their behalf; a person may give only their own.",
    )


class ResolveInputSerializer(InputSerializer):
    resolved_by = serializers.CharField(
        required=False,
        max_length=32,
        help_text="The Slack user id of the person resolving: required from a machine token, "
        "which acts on their behalf; a person may give only their own.",
    )


@extend_schema(tags=["escalations"])
class EscalationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Escalations: who was tagged at which level, whether anyone acknowledged, and whether
    the bug is handled (resolved)."""

    serializer_class = EscalationSerializer
    filterset_class = EscalationFilter

    def get_queryset(self):
        names = {
            "acknowledged_by_name": "acknowledged_by",
            "resolved_by_name": "resolved_by",
            "created_by_name": "created_by",
        }
        return with_names(escalation_list(), **names)

    @extend_schema(
        request=EscalationInputSerializer,
        responses={201: EscalationSerializer, 200: EscalationSerializer},
        examples=[ESCALATION_REQUEST_EXAMPLE, ESCALATION_RESPONSE_EXAMPLE],
        summary="Escalate a bug to its services' on-call",
        description="Tags this level's people in the bug's Slack thread (201). The same bug and "
        "level again within five minutes returns the existing escalation (200) and pages "
        "nobody twice. With `ack_timeout_minutes`, an unacknowledged escalation climbs a level "
        "by itself, up to level 3.",
    )
    def create(self, request, *args, **kwargs):
        fields = self.parse(EscalationInputSerializer)
        asked = EscalationRequest(**fields)
        outcome = escalation_create(actor=self.actor(), request=asked)
        escalation = self.get_queryset().get(pk=outcome.escalation.pk)
        return self.respond(
            escalation, status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK
        )

    @extend_schema(
        request=AckInputSerializer,
        responses=EscalationSerializer,
        summary="Acknowledge: stop the climb",
        description="By someone the escalation paged, a member or lead of a team it names, or "
        "staff (else 403). A machine token acknowledges on behalf of such a person, named in "
        "`acknowledged_by` (else 400); the audit entry names both. Acknowledging twice is "
        "harmless: the first acknowledgement stands.",
    )
    @action(detail=True, methods=["post"])
    def ack(self, request, *args, **kwargs):
        fields = self.parse(AckInputSerializer)
        escalation_acknowledge(
            escalation_id=self.kwargs["pk"],
            actor=self.actor(),
            on_behalf_of=fields.get("acknowledged_by", ""),
        )
        return self.respond(self.get_queryset().get(pk=self.kwargs["pk"]))

    @extend_schema(
        request=ResolveInputSerializer,
        responses=EscalationSerializer,
        summary="Resolve: the bug is handled",
        description="Closes the escalation, open or acknowledged; an open one stops climbing. "
        "Allowed to whoever may acknowledge it (else 403); a machine token resolves on behalf "
        "of such a person, named in `resolved_by` (else 400). The bug's thread hears who "
        "resolved it. Resolving twice is harmless: the first resolution stands.",
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        fields = self.parse(ResolveInputSerializer)
        escalation_resolve(
            escalation_id=self.kwargs["pk"],
            actor=self.actor(),
            on_behalf_of=fields.get("resolved_by", ""),
        )
        return self.respond(self.get_queryset().get(pk=self.kwargs["pk"]))

"""The bug bot's lookups: /oncall/ (a service or team), /oncall/mentions/ (a list of services)
and /services/lookup/ (a service's owner, group and group on-call, also as plain text)."""

import datetime
import json
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response

from oncall_project.api.views import ApiViewSet
from oncall_project.errors import NotFound
from schedules import domain
from schedules.api.oncall import (
    ChainLinkSerializer,
    chain_link,
    deduplicated,
    period_fields,
    source_field,
    team_chain,
    team_on_call,
)
from schedules.api.queries import AT_PARAMETER, AtQuerySerializer, instant, read_query
from services.oncall import ServiceOnCall, mentions, resolve_services
from services.selectors import service_by_name, service_on_call, team_by_ref_or_name
from teams.api.scoping import TeamSummarySerializer

MAX_SERVICES = 100
USER, GROUP = domain.MentionKind.USER, domain.MentionKind.GROUP
SERVICE_SOURCE_HELP = (
    "Which layer answered: the team's (override, schedule, rotation, team_default), else the "
    "service's primary_oncall, service_owner, or slack_group; none when nobody is found."
)


# --- answers ---------------------------------------------------------------------------------


class OnCallAnswerSerializer(serializers.Serializer):
    service = serializers.CharField(
        allow_null=True, help_text="The service's name; null when a team was asked."
    )
    team = TeamSummarySerializer(allow_null=True)
    engineer_slack_id = serializers.CharField(
        allow_null=True, help_text="The Slack user to tag; null when the answer is a group."
    )
    target = serializers.CharField(
        allow_null=True, help_text="Whom to tag: a Slack user (U…) or user group (S…)."
    )
    kind = serializers.ChoiceField(choices=[USER.value, GROUP.value], allow_null=True)
    mention = serializers.CharField(allow_null=True, help_text="`<@U…>` or `<!subteam^S…>`.")
    source = source_field(SERVICE_SOURCE_HELP)
    fallback_chain = ChainLinkSerializer(
        many=True,
        help_text="Whom to tag, in order, each once: the team's on-call and default engineer, "
        "the service's primary on-call and owner, the Slack groups. The first is the answer.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        chain = fields.pop("fallback_chain")
        # Null when the service has no (active) team: its fallback holds until changed.
        return {**fields, **period_fields(allow_null=True), "fallback_chain": chain}


def _period(answer: domain.OnCallAnswer | None) -> dict[str, Any]:
    keys = ("on_call_date", "starts_at", "ends_at", "from_date", "until_date")
    return {key: getattr(answer, key) if answer else None for key in keys}


def service_chain(result: ServiceOnCall) -> list[dict[str, str]]:
    service, team = result.service, result.service.team
    links = team_chain(team, result.team_answer) if result.team_answer else []
    links = [link for link in links if link["kind"] == USER]
    for target, kind, source in (
        (service.primary_oncall, USER, domain.ServiceSource.PRIMARY_ONCALL),
        (service.service_owner, USER, domain.ServiceSource.SERVICE_OWNER),
        (team.slack_group_id if team else "", GROUP, domain.ServiceSource.SLACK_GROUP),
        (service.team_slack_group, GROUP, domain.ServiceSource.SLACK_GROUP),
    ):
        if target:
            links.append(chain_link(source, target, kind))
    return deduplicated(links)


def service_answer(result: ServiceOnCall) -> dict[str, Any]:
    answer = result.answer
    return {
        "service": result.service.name,
        "team": result.service.team,
        "engineer_slack_id": answer.target if answer.kind == USER else None,
        "target": answer.target,
        "kind": str(answer.kind) if answer.kind else None,
        "mention": answer.mention,
        "source": str(answer.source),
        **_period(result.team_answer),
        "fallback_chain": service_chain(result),
    }


def team_answer(team, at: datetime.datetime) -> dict[str, Any]:
    answer = team_on_call(team, at)
    engineer = answer["engineer_slack_id"]
    return {
        **answer,
        "service": None,
        "target": engineer,
        "kind": USER.value if engineer else None,
    }


# --- /oncall/ and /oncall/mentions/ -----------------------------------------------------------


class OnCallQuerySerializer(AtQuerySerializer):
    service = serializers.CharField(required=False, max_length=120)
    team = serializers.CharField(required=False, max_length=140)

    def validate(self, attrs: dict) -> dict:
        if ("service" in attrs) == ("team" in attrs):
            raise serializers.ValidationError("Give either `service` or `team` (not both).")
        return attrs


class MentionsQuerySerializer(AtQuerySerializer):
    services = serializers.CharField(max_length=10_000)

    def validate_services(self, value: str) -> list[str]:
        names: dict[str, str] = {}
        for name in (n.strip() for n in value.split(",")):
            if name:
                names.setdefault(name.lower(), name)
        if not names:
            raise serializers.ValidationError("At least one service name.")
        if len(names) > MAX_SERVICES:
            raise serializers.ValidationError(f"At most {MAX_SERVICES} services.")
        return list(names.values())


class ServiceMentionSerializer(serializers.Serializer):
    service = serializers.CharField(help_text="The service's name as stored.")
    team = TeamSummarySerializer(allow_null=True)
    target = serializers.CharField(allow_null=True)
    kind = serializers.ChoiceField(choices=[USER.value, GROUP.value], allow_null=True)
    mention = serializers.CharField(allow_null=True, help_text="Null when nobody was found.")
    source = source_field(SERVICE_SOURCE_HELP)


class MentionsSerializer(serializers.Serializer):
    mentions = serializers.ListField(
        child=serializers.CharField(),
        help_text="One per known service, in the order asked, each once.",
    )
    services = ServiceMentionSerializer(many=True, help_text="One entry per known service.")
    unknown = serializers.ListField(
        child=serializers.CharField(), help_text="Names asked for that match no active service."
    )


def mention_entry(result: ServiceOnCall) -> dict[str, Any]:
    answer = result.answer
    return {
        "service": result.service.name,
        "team": result.service.team,
        "target": answer.target,
        "kind": str(answer.kind) if answer.kind else None,
        "mention": answer.mention,
        "source": str(answer.source),
    }


ONCALL_EXAMPLE = OpenApiExample(
    "A service answered by its team's rotation",
    value={
        "service": "Payment",
        "team": {"id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11", "name": "Payments", "slug": "payments"},
        "engineer_slack_id": "U_ALICE",
        "target": "U_ALICE",
        "kind": "user",
        "mention": "<@U_ALICE>",
        "source": "rotation",
        "on_call_date": "2026-12-08",
        "from": "2026-12-07T09:00:00Z",
        "until": "2026-12-14T09:00:00Z",
        "from_date": "2026-12-07",
        "until_date": "2026-12-13",
        "fallback_chain": [
            {"source": "rotation", "target": "U_ALICE", "kind": "user", "mention": "<@U_ALICE>"},
            {"source": "service_owner", "target": "U_BOB", "kind": "user", "mention": "<@U_BOB>"},
        ],
    },
)
MENTIONS_EXAMPLE = OpenApiExample(
    "Payment and Bill share the Payments on-call",
    value={
        "mentions": ["<@U_ALICE>"],
        "services": [
            {
                "service": "Payment",
                "team": {"id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11", "name": "Payments",
                         "slug": "payments"},
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
            {
                "service": "Bill",
                "team": {"id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11", "name": "Payments",
                         "slug": "payments"},
                "target": "U_ALICE",
                "kind": "user",
                "mention": "<@U_ALICE>",
                "source": "rotation",
            },
        ],
        "unknown": ["Ledger"],
    },
)


@extend_schema(tags=["on-call"])
class OnCallViewSet(ApiViewSet):
    """The bot's on-call lookups by name."""

    serializer_class = OnCallAnswerSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, description="A service's name, any case."),
            OpenApiParameter("team", str, description="A team's id, slug or name (any case)."),
            AT_PARAMETER,
        ],
        responses=OnCallAnswerSerializer,
        examples=[ONCALL_EXAMPLE],
        summary="Who is on call for a service or a team",
        description="Give exactly one of `service` or `team`. A service answers with its team's "
        "on-call, else its primary on-call, else its owner, else a Slack group; `from`/`until` "
        "is the team's current run (null when the service has no active team).",
    )
    def retrieve(self, request, *args, **kwargs):
        query = read_query(request, OnCallQuerySerializer)
        at = instant(query)
        if "team" in query:
            team = team_by_ref_or_name(query["team"])
            if team is None:
                raise NotFound(f"No team '{query['team']}'.", {"team": ["No such team."]})
            return self.respond(team_answer(team, at))
        service = service_by_name(query["service"])
        if service is None:
            raise NotFound(
                f"No active service named '{query['service']}'.", {"service": ["No such service."]}
            )
        return self.respond(service_answer(service_on_call(service, at)))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "services",
                str,
                required=True,
                description=f"Service names, comma-separated (any case; up to {MAX_SERVICES}).",
            ),
            AT_PARAMETER,
        ],
        responses=MentionsSerializer,
        examples=[MENTIONS_EXAMPLE],
        summary="Slack mentions for a list of services",
        description="One mention per service in the order given, each once; users as `<@U…>`, "
        "groups as `<!subteam^S…>`. Unknown names are listed under `unknown`, not an error.",
    )
    def mentions(self, request, *args, **kwargs):
        query = read_query(request, MentionsQuerySerializer)
        results = resolve_services(query["services"], instant(query))
        body = {
            "mentions": mentions(results),
            "services": [mention_entry(r) for r in results if r.known],
            "unknown": [r.asked for r in results if not r.known],
        }
        return Response(MentionsSerializer(body).data)


# --- /services/lookup/ ------------------------------------------------------------------------


class PlainTextRenderer(renderers.BaseRenderer):
    """`?format=text`: the text block the bot's tool shows; errors as their one sentence."""

    media_type = "text/plain"
    format = "text"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None) -> bytes:
        if isinstance(data, Mapping):
            data = data.get("detail") or json.dumps(data)
        return str(data if data is not None else "").encode(self.charset)


class LookupQuerySerializer(serializers.Serializer):
    name = serializers.CharField(max_length=120)


class ServiceLookupSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    name = serializers.CharField()
    repository_url = serializers.CharField(allow_blank=True)
    tech_stack = serializers.CharField(allow_blank=True)
    service_owner = serializers.CharField(
        allow_null=True, help_text="The service's owner, else its primary on-call."
    )
    group = serializers.CharField(help_text='The team\'s name, else "Ungrouped".')
    group_oncall = serializers.CharField(
        allow_null=True, help_text="Who is on call for the team now (null: nobody, or no team)."
    )
    team_slack_group = serializers.CharField(
        allow_null=True, help_text="The team's Slack user group, else the service's own."
    )


TEXT_LINES = (
    ("Service", "name"),
    ("GitHub repo", "repository_url"),
    ("Tech stack", "tech_stack"),
    ("Service owner", "service_owner"),
    ("Group", "group"),
    ("Group on-call", "group_oncall"),
    ("Team Slack group", "team_slack_group"),
)


def lookup_text(facts: Mapping[str, Any]) -> str:
    return "\n".join(f"{label}: {facts[key] or 'N/A'}" for label, key in TEXT_LINES)


def service_facts(result: ServiceOnCall) -> dict[str, Any]:
    service, team = result.service, result.service.team
    group_oncall = result.team_answer.engineer if result.team_answer else None
    return {
        "id": service.pk,
        "name": service.name,
        "repository_url": service.repository_url,
        "tech_stack": service.tech_stack,
        "service_owner": service.service_owner or service.primary_oncall or None,
        "group": team.name if team else "Ungrouped",
        "group_oncall": group_oncall,
        "team_slack_group": (team.slack_group_id if team else "") or service.team_slack_group or None,
    }


LOOKUP_JSON_EXAMPLE = OpenApiExample(
    "Payment",
    value={
        "id": "0b6f1e4e-3a57-4b52-a8b3-5f7f0c2d9a10",
        "name": "Payment",
        "repository_url": "https://github.com/example/payment",
        "tech_stack": "Go, PostgreSQL",
        "service_owner": "U_BOB",
        "group": "Payments",
        "group_oncall": "U_ALICE",
        "team_slack_group": "S_PAYMENTS",
    },
    media_type="application/json",
)
LOOKUP_TEXT_EXAMPLE = OpenApiExample(
    "Payment, as text",
    value="Service: Payment\nGitHub repo: https://github.com/example/payment\n"
    "Tech stack: Go, PostgreSQL\nService owner: U_BOB\nGroup: Payments\n"
    "Group on-call: U_ALICE\nTeam Slack group: S_PAYMENTS",
    media_type="text/plain",
)


@extend_schema(tags=["on-call"])
class ServiceLookupViewSet(ApiViewSet):
    """A service's owner, group and group on-call, for the bot's `lookup_service_owner` tool."""

    renderer_classes = [renderers.JSONRenderer, PlainTextRenderer]
    serializer_class = ServiceLookupSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("name", str, required=True, description="The name, any case."),
            OpenApiParameter(
                "format",
                str,
                enum=["json", "text"],
                description="`text`: plain-text lines `Service:`, `GitHub repo:`, `Tech stack:`, "
                "`Service owner:`, `Group:`, `Group on-call:`, `Team Slack group:` (`N/A` where "
                "empty).",
            ),
        ],
        responses={
            (200, "application/json"): ServiceLookupSerializer,
            (200, "text/plain"): OpenApiTypes.STR,
        },
        examples=[LOOKUP_JSON_EXAMPLE, LOOKUP_TEXT_EXAMPLE],
        summary="Look a service up by name",
    )
    def retrieve(self, request, *args, **kwargs):
        name = read_query(request, LookupQuerySerializer)["name"]
        service = service_by_name(name)
        if service is None:
            raise NotFound(f"No active service named '{name}'.", {"name": ["No such service."]})
        facts = service_facts(service_on_call(service, timezone.now()))
        if request.accepted_renderer.format == PlainTextRenderer.format:
            return Response(lookup_text(facts))
        return self.respond(facts)

"""/services/lookup/: a service's owner, group and group on-call, for the bug bot's
`lookup_service_owner` tool — as JSON, or as the plain-text block the tool shows."""

import json
from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import renderers, serializers
from rest_framework.response import Response

from oncall_project.base.api.schema import error_response
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import NotFound
from schedules import domain, oncall_now
from schedules.api.oncall import (
    engineer_name,
    engineer_names,
    team_error_field,
    team_error_json,
)
from schedules.api.queries import read_query
from schedules.models import Role
from services.selectors.answers import ServiceOnCall, resolve_services
from teams.models import Team


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


NAME_HELP = (
    "Their name, beside the Slack id (the team's for its member, else the people directory's); "
    "null when nobody or no name is known."
)
# The facts that name a person, each with its name beside it (`<fact>_name`).
PEOPLE_FACTS = ("service_owner", "group_oncall", "backup_oncall")


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
    backup_oncall = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Who is the team's backup on call now (null: nobody); absent when the team "
        "has no backup line.",
    )
    service_owner_name = serializers.CharField(allow_null=True, help_text=NAME_HELP)
    group_oncall_name = serializers.CharField(allow_null=True, help_text=NAME_HELP)
    backup_oncall_name = serializers.CharField(
        required=False, allow_null=True, help_text=f"{NAME_HELP} Absent with `backup_oncall`."
    )
    team_error = team_error_field()

    def to_representation(self, facts: Mapping[str, Any]) -> dict[str, Any]:
        data = super().to_representation(facts)
        if "backup_oncall" not in facts:  # DRF would render a missing nullable field as null
            data.pop("backup_oncall")
            data.pop("backup_oncall_name")
        return data


TEXT_LINES = (
    ("Service", "name"),
    ("GitHub repo", "repository_url"),
    ("Tech stack", "tech_stack"),
    ("Service owner", "service_owner"),
    ("Group", "group"),
    ("Group on-call", "group_oncall"),
    ("Group on-call error", "team_error"),
    ("Team Slack group", "team_slack_group"),
    ("Backup on-call", "backup_oncall"),
)


def lookup_text(facts: Mapping[str, Any]) -> str:
    """The tool's lines, people as "Name (<@U…>)"; "Backup on-call" only for a team with a
    backup line, "Group on-call error" only where the team's on-call could not be worked out."""
    return "\n".join(
        f"{label}: {_text_value(facts, key) or 'N/A'}" for label, key in TEXT_LINES if key in facts
    )


def _text_value(facts: Mapping[str, Any], key: str) -> str:
    value = facts[key]
    if key not in PEOPLE_FACTS or not value:
        return value
    mention = domain.mention_for(value, domain.MentionKind.USER)
    name = " ".join(str(facts.get(f"{key}_name") or "").split())  # one line, whatever it holds
    return f"{name} ({mention})" if name else mention


def service_facts(result: ServiceOnCall) -> dict[str, Any]:
    """The tool's fields, read off the service's answer and its chain."""
    service, answer, now = result.service, result.answer, timezone.now()
    named, rung, team_answer = answer.named, domain.Rung, answer.team_answer
    owner = named(rung.SERVICE_OWNER) or named(rung.PRIMARY_ONCALL)
    group_oncall = team_answer.engineer if team_answer else None
    names = engineer_names(
        [owner, group_oncall],
        service.team,
        now,
        Role.PRIMARY,
        getattr(service, "directory_names", None),
    )
    return {
        "id": service.pk,
        "name": service.name,
        "repository_url": service.repository_url,
        "tech_stack": service.tech_stack,
        "service_owner": owner,
        "group": service.team.name if service.team else "Ungrouped",
        "group_oncall": group_oncall,
        "team_slack_group": named(rung.TEAM_SLACK_GROUP) or named(rung.SERVICE_SLACK_GROUP),
        "service_owner_name": names.get(owner),
        "group_oncall_name": names.get(group_oncall),
        **team_error_json(answer),
        **_backup_facts(service.team, now),
    }


def _backup_facts(team: Team | None, now) -> dict[str, Any]:
    answer = oncall_now.backup_now([team], now).get(team and team.pk)
    if answer is None:
        return {}
    return {
        "backup_oncall": answer.engineer,
        "backup_oncall_name": engineer_name(answer.engineer, team, now, Role.BACKUP),
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
        "service_owner_name": "Bob Stone",
        "group_oncall_name": "Alice Nguyen",
    },
    media_type="application/json",
)
LOOKUP_TEXT_EXAMPLE = OpenApiExample(
    "Payment, as text",
    value="Service: Payment\nGitHub repo: https://github.com/example/payment\n"
    "Tech stack: Go, PostgreSQL\nService owner: Bob Stone (<@U_BOB>)\nGroup: Payments\n"
    "Group on-call: Alice Nguyen (<@U_ALICE>)\nTeam Slack group: S_PAYMENTS",
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
                "empty), `Group on-call error:` when the team's on-call cannot be worked out, and "
                "`Backup on-call:` when the team has a backup line; a person as "
                "`Name (<@U…>)`, or `<@U…>` when no name is known.",
            ),
        ],
        responses={
            (200, "application/json"): ServiceLookupSerializer,
            (200, "text/plain"): OpenApiTypes.STR,
            404: error_response(404),
        },
        examples=[LOOKUP_JSON_EXAMPLE, LOOKUP_TEXT_EXAMPLE],
        summary="Look a service up by name",
    )
    def retrieve(self, request, *args, **kwargs):
        name = read_query(request, LookupQuerySerializer)["name"]
        result = resolve_services([name], timezone.now())[0]
        if not result.known:
            raise NotFound(f"No active service named '{name}'.", {"name": ["No such service."]})
        facts = service_facts(result)
        if request.accepted_renderer.format == PlainTextRenderer.format:
            return Response(lookup_text(facts))
        return self.respond(facts)

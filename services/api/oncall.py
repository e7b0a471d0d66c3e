"""The bug bot's on-call lookups: /oncall/ (a service or a team) and /oncall/mentions/ (a list
of services), and the answer /services/{id}/oncall/ shares with them."""

import datetime
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from oncall_project.base.api.schema import error_response
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import NotFound
from schedules import domain, oncall_now
from schedules.api.oncall import (
    ChainLinkSerializer,
    answer_json,
    answering,
    backup_field,
    backup_json,
    line_tag,
    period_fields,
    source_field,
    team_error_field,
    team_error_json,
    team_json,
)
from schedules.api.queries import (
    AT_PARAMETER,
    ROLE_PARAMETER,
    AtQuerySerializer,
    instant,
    read_query,
)
from schedules.models import Role
from services.api.examples import MENTIONS_EXAMPLE, ONCALL_EXAMPLE
from services.selectors.answers import ServiceOnCall, mentions, resolve_services
from teams.api.scoping import TeamSummarySerializer
from teams.models import Team
from teams.selectors import team_by_word

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
    engineer_name = serializers.CharField(
        allow_null=True,
        help_text="Their name (the team's for its member, else the people directory's); null "
        "when the answer is a group or the directory has no name for them.",
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

    team_error = team_error_field()
    backup = backup_field()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        chain, error = fields.pop("fallback_chain"), fields.pop("team_error")
        backup = fields.pop("backup")
        # Null when the service has no (active) team: its fallback holds until changed.
        return {
            **fields,
            **period_fields(allow_null=True),
            "fallback_chain": chain,
            "team_error": error,
            "backup": backup,
        }


def service_answer(
    result: ServiceOnCall, at: datetime.datetime, role: str = Role.PRIMARY
) -> dict[str, Any]:
    """The answer as OnCallAnswerSerializer documents it."""
    team = result.service.team
    return {
        "service": result.service.name,
        **answer_json(result.answer, team, at, role),
        **backup_json(team, at, role),
    }


def team_answer(team: Team, at: datetime.datetime, role: str = Role.PRIMARY) -> dict[str, Any]:
    answer = line_tag(team, oncall_now.on_call_now([team], at, role)[team.pk], role)
    return {"service": None, **answer_json(answer, team, at, role), **backup_json(team, at, role)}


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
        return service_names(value)


def service_names(value: str) -> list[str]:
    """The names in a comma-separated list, each once whatever its case, in order."""
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
    team_error = team_error_field()


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
        "team": team_json(result.service.team),
        "target": answer.target,
        "kind": str(answer.kind) if answer.kind else None,
        "mention": answer.mention,
        "source": str(answer.source),
        **team_error_json(answer),
    }


def mentions_answer(results: list[ServiceOnCall]) -> dict[str, Any]:
    """The answer as MentionsSerializer documents it."""
    return {
        "mentions": mentions(results),
        "services": [mention_entry(r) for r in results if r.known],
        "unknown": [r.asked for r in results if not r.known],
    }


@extend_schema(tags=["on-call"])
class OnCallViewSet(ApiViewSet):
    """The bot's on-call lookups by name."""

    serializer_class = OnCallAnswerSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter("service", str, description="A service's name, any case."),
            OpenApiParameter("team", str, description="A team's id, slug or name (any case)."),
            AT_PARAMETER,
            ROLE_PARAMETER,
        ],
        responses={200: OnCallAnswerSerializer, 404: error_response(404)},
        examples=[ONCALL_EXAMPLE],
        summary="Who is on call for a service or a team",
        description="Give exactly one of `service` or `team`. A service answers with its team's "
        "on-call, else its primary on-call, else its owner, else a Slack group; `from`/`until` "
        "is the team's current run (null when the service has no active team). `?role=backup` "
        "answers with the team's backup line (nobody when it has none); a primary answer "
        "carries `backup` when the team has a backup line. A deleted team (or a name that "
        "is no team's) is a 404.",
    )
    def retrieve(self, request, *args, **kwargs):
        query = read_query(request, OnCallQuerySerializer)
        at, role = instant(query), query["role"]
        if "team" in query:
            team = team_by_word(query["team"])
            if team is None:
                raise NotFound(f"No team '{query['team']}'.", {"team": ["No such team."]})
            return Response(team_answer(answering(team), at, role))
        result = resolve_services([query["service"]], at, role)[0]
        if not result.known:
            raise NotFound(
                f"No active service named '{query['service']}'.", {"service": ["No such service."]}
            )
        return Response(service_answer(result, at, role))

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "services",
                str,
                required=True,
                description=f"Service names, comma-separated (any case; up to {MAX_SERVICES}).",
            ),
            AT_PARAMETER,
            ROLE_PARAMETER,
        ],
        responses=MentionsSerializer,
        examples=[MENTIONS_EXAMPLE],
        summary="Slack mentions for a list of services",
        description="One mention per service in the order given, each once; users as `<@U…>`, "
        "groups as `<!subteam^S…>`. Unknown names are listed under `unknown`, not an error. "
        "`?role=backup` tags each service's team's backup on call instead (none where the "
        "team has no backup line).",
    )
    def mentions(self, request, *args, **kwargs):
        query = read_query(request, MentionsQuerySerializer)
        results = resolve_services(query["services"], instant(query), query["role"])
        return Response(mentions_answer(results))

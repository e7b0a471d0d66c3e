"""/users/{slack_id}/schedules/: one person's resolved on-call periods across every team."""

import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from oncall_project import slack_ids
from oncall_project.api.views import ApiViewSet
from oncall_project.errors import InvalidInput
from schedules import domain, selectors
from schedules.api.oncall import TEAM_SOURCE_HELP, source_field
from schedules.api.queries import DateParamField, LocalInstantField, read_query
from schedules.models import Override, OverrideStatus, Schedule
from teams.api.scoping import TeamSummarySerializer
from teams.models import Team, TeamMembership

DEFAULT_DAYS = 28
MAX_DAYS = 366

SLACK_ID_PARAMETER = OpenApiParameter(
    "slack_id", str, OpenApiParameter.PATH, description="The person's Slack user id (U… or W…)."
)


class WindowQuerySerializer(serializers.Serializer):
    """`from`/`to` (on-call dates, inclusive): default today and 28 days on, at most 366 days."""

    def get_fields(self) -> dict[str, serializers.Field]:
        return {"from": DateParamField(required=False), "to": DateParamField(required=False)}

    def validate(self, attrs: dict) -> dict:
        start = attrs.get("from") or timezone.now().date()
        end = attrs.get("to") or start + datetime.timedelta(days=DEFAULT_DAYS)
        if end < start:
            raise serializers.ValidationError({"to": ["Before `from`."]})
        if (end - start).days + 1 > MAX_DAYS:
            raise serializers.ValidationError({"to": [f"At most {MAX_DAYS} days from `from`."]})
        return {"from": start, "to": end}


class PersonPeriodSerializer(serializers.Serializer):
    team = TeamSummarySerializer()
    start_date = serializers.DateField(help_text="First on-call day.")
    end_date = serializers.DateField(help_text="Last on-call day (inclusive).")
    source = source_field(TEAM_SOURCE_HELP)

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "from": LocalInstantField(source="starts_at", help_text="The handoff to them."),
            "until": LocalInstantField(source="ends_at", help_text="The handoff away from them."),
        }


class PersonScheduleSerializer(serializers.Serializer):
    slack_id = serializers.CharField()
    periods = PersonPeriodSerializer(many=True, help_text="By start date, then team name.")

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {
            "slack_id": fields["slack_id"],
            "from": serializers.DateField(help_text="The window's first on-call date."),
            "to": serializers.DateField(help_text="The window's last on-call date (inclusive)."),
            "periods": fields["periods"],
        }


def teams_of_person(slack_id: str, start: datetime.date, end: datetime.date) -> QuerySet[Team]:
    """Active teams the person may be on call for in the window: a member, the team's default,
    or named by a schedule or an approved override in it. One query."""
    dated = {"team": OuterRef("pk"), "end_date__gte": start, "start_date__lte": end}
    return Team.objects.filter(is_active=True).filter(
        Q(oncall_engineer=slack_id)
        | Exists(TeamMembership.objects.filter(team=OuterRef("pk"), slack_user_id=slack_id))
        | Exists(Schedule.objects.filter(engineer_slack_id=slack_id, **dated))
        | Exists(
            Override.objects.filter(
                engineer_slack_id=slack_id, status=OverrideStatus.APPROVED, **dated
            )
        )
    )


def person_periods(slack_id: str, start: datetime.date, end: datetime.date) -> list[dict[str, Any]]:
    """The runs of on-call days the person holds, overrides applied: three queries."""
    teams = list(teams_of_person(slack_id, start, end))
    states = selectors.team_states(teams, start, end)
    found = []
    for team in teams:
        assignments = domain.resolve_range(states[team.pk], start, end)
        for period in domain.periods(assignments):
            if period.engineer != slack_id:
                continue
            found.append(
                {
                    "team": team,
                    "start_date": period.start_date,
                    "end_date": period.end_date,
                    "source": str(period.source),
                    "starts_at": _handoff(team, period.start_date),
                    "ends_at": _handoff(team, period.end_date + datetime.timedelta(days=1)),
                }
            )
    return sorted(found, key=lambda p: (p["start_date"], p["team"].name))


def _handoff(team: Team, day: datetime.date) -> datetime.datetime:
    return domain.handoff_at(day, team.timezone, team.handoff_time)


@extend_schema(tags=["on-call"], parameters=[SLACK_ID_PARAMETER])
class PersonScheduleViewSet(ApiViewSet):
    """A person's on-call periods in every team, as resolved (overrides, schedules, rotation,
    team default)."""

    serializer_class = PersonScheduleSerializer

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "from",
                OpenApiTypes.DATE,
                description="First on-call date (default: today, UTC).",
            ),
            OpenApiParameter(
                "to",
                OpenApiTypes.DATE,
                description=f"Last on-call date, inclusive (default: `from` + {DEFAULT_DAYS} "
                f"days; at most {MAX_DAYS} days in all).",
            ),
        ],
        responses=PersonScheduleSerializer,
        summary="A person's on-call periods across all teams",
    )
    def retrieve(self, request, *args, **kwargs):
        slack_id = self.kwargs["slack_id"]
        if not slack_ids.is_user_id(slack_id):
            message = f"'{slack_id}' is not a Slack user id (U… or W…)."
            raise InvalidInput(message, {"slack_id": [message]})
        window = read_query(request, WindowQuerySerializer)
        start, end = window["from"], window["to"]
        body = {
            "slack_id": slack_id,
            "from": start,
            "to": end,
            "periods": person_periods(slack_id, start, end),
        }
        return self.respond(body)

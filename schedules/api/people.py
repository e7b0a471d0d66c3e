"""/users/{slack_id}/schedules/: one person's resolved on-call periods across every team."""

import datetime

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers

from oncall_project.base import slack_ids
from oncall_project.base.api.schema import EXAMPLE_TEAM
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import InvalidInput
from schedules.api.oncall import TEAM_SOURCE_HELP, source_field
from schedules.api.queries import DateParamField, LocalInstantField, read_query
from schedules.lines import person_periods
from schedules.models import Role
from teams.api.scoping import TeamSummarySerializer
from teams.selectors import names_for

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
    role = serializers.ChoiceField(
        choices=Role.choices,
        help_text="The line: `primary`, or `backup` for a shift on the team's backup line.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        return {
            **super().get_fields(),
            "from": LocalInstantField(source="starts_at", help_text="The handoff to them."),
            "until": LocalInstantField(source="ends_at", help_text="The handoff away from them."),
        }


class TeamErrorSerializer(serializers.Serializer):
    team = TeamSummarySerializer()
    team_error = serializers.CharField(
        help_text="Why the team's on-call cannot be worked out (its time zone, say, is no "
        "longer in the server's tz database)."
    )


class PersonScheduleSerializer(serializers.Serializer):
    slack_id = serializers.CharField()
    name = serializers.CharField(
        allow_null=True, help_text="The people directory's name for `slack_id`; null when none."
    )
    periods = PersonPeriodSerializer(many=True, help_text="By start date, then team name.")
    team_errors = TeamErrorSerializer(
        many=True,
        help_text="The person's teams whose periods cannot be worked out, and why; most often "
        "empty. Their periods are not among `periods`.",
    )

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        return {
            "slack_id": fields["slack_id"],
            "name": fields["name"],
            "from": serializers.DateField(help_text="The window's first on-call date."),
            "to": serializers.DateField(help_text="The window's last on-call date (inclusive)."),
            "periods": fields["periods"],
            "team_errors": fields["team_errors"],
        }


PERSON_SCHEDULE_EXAMPLE = OpenApiExample(
    "Alice, in two teams",
    value={
        "slack_id": "U_ALICE",
        "name": "Alice Nguyen",
        "from": "2026-12-07",
        "to": "2027-01-04",
        "periods": [
            {
                "team": EXAMPLE_TEAM,
                "start_date": "2026-12-07",
                "end_date": "2026-12-13",
                "source": "rotation",
                "role": "primary",
                "from": "2026-12-07T09:00:00+01:00",
                "until": "2026-12-14T09:00:00+01:00",
            },
            {
                "team": {
                    "id": "0d3b8a7e-2c4f-4a8e-9b1d-5e6f7a8b9c0d",
                    "name": "Search",
                    "slug": "search",
                },
                "start_date": "2026-12-19",
                "end_date": "2026-12-20",
                "source": "override",
                "role": "primary",
                "from": "2026-12-19T09:00:00Z",
                "until": "2026-12-21T09:00:00Z",
            },
            {
                "team": EXAMPLE_TEAM,
                "start_date": "2027-01-04",
                "end_date": "2027-01-04",
                "source": "rotation",
                "role": "backup",
                "from": "2027-01-04T18:00:00+01:00",
                "until": "2027-01-05T18:00:00+01:00",
            },
        ],
        "team_errors": [],
    },
)


@extend_schema(tags=["on-call"], parameters=[SLACK_ID_PARAMETER])
class PersonScheduleViewSet(ApiViewSet):
    """A person's on-call periods in every team, on either line (`role`), as resolved
    (overrides, schedules, rotation, team default)."""

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
        examples=[PERSON_SCHEDULE_EXAMPLE],
        summary="A person's on-call periods across all teams",
        description="For the bot: when is this person on call, in which team, on which line "
        "(`role`: primary or backup) and which layer put them there (periods cut at the "
        "window's edges).",
    )
    def retrieve(self, request, *args, **kwargs):
        slack_id = self.kwargs["slack_id"]
        if not slack_ids.is_user_id(slack_id):
            message = f"'{slack_id}' is not a Slack user id (U… or W…)."
            raise InvalidInput(message, {"slack_id": [message]})
        window = read_query(request, WindowQuerySerializer)
        start, end = window["from"], window["to"]
        periods, refused = person_periods(slack_id, start, end)
        body = {
            "slack_id": slack_id,
            "name": names_for([slack_id]).get(slack_id),
            "from": start,
            "to": end,
            "periods": periods,
            "team_errors": [{"team": r.team, "team_error": r.reason} for r in refused],
        }
        return self.respond(body)

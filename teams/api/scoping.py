"""Pieces every team-scoped endpoint shares: the team from the URL (id or slug), a team reference
in request bodies, and the short team embedded in other resources."""

from functools import cached_property

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.models import Team
from teams.selectors import team_get, team_ref_q


class TeamSummarySerializer(serializers.ModelSerializer):
    """A team embedded in another resource."""

    class Meta:
        model = Team
        fields = ["id", "name", "slug"]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.STR)
class TeamRefField(serializers.Field):
    """A team given by id (UUID) or slug in a request body."""

    default_error_messages = {
        "invalid": "A team id (UUID) or slug.",
        "no_team": "No team '{ref}'.",
    }

    def to_internal_value(self, data) -> Team:
        if not isinstance(data, str) or not data.strip():
            self.fail("invalid")
        team = Team.objects.filter(team_ref_q(data)).first()
        if team is None:
            self.fail("no_team", ref=data)
        return team

    def to_representation(self, value: Team) -> str:
        return str(value.pk)


class TeamScopedMixin:
    """For viewsets under /teams/{team}/…: `self.team`, looked up once per request."""

    @cached_property
    def team(self) -> Team:
        return team_get(ref=self.kwargs["team"])

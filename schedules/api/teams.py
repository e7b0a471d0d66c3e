"""POST /teams/: a team created whole, its rotation settings included, planned as a change at
/teams/{team}/rotation-config/ would plan them. The rest of /teams/ is teams.api.teams."""

from drf_spectacular.utils import extend_schema
from rest_framework import status

from schedules.actions import team_create_with_rotation
from schedules.api.rotation import RotationConfigInputSerializer
from teams.actions import RotationSettings, TeamFields, team_fields
from teams.api import teams
from teams.models import Team


class TeamCreateSerializer(RotationConfigInputSerializer, teams.TeamInputSerializer):
    """A team's own fields and its rotation settings, each optional but the name. The slug
    defaults to one made from the name."""

    class Meta:
        model = Team
        fields = sorted({*TeamFields.names(), *RotationSettings.names()})
        extra_kwargs = {"slug": {"required": False}}


class TeamViewSet(teams.TeamViewSet):
    @extend_schema(request=TeamCreateSerializer, responses={201: teams.TeamSerializer})
    def create(self, request, *args, **kwargs):
        own, rotation = team_fields(self.parse(TeamCreateSerializer))
        team = team_create_with_rotation(actor=self.actor(), fields=own, rotation=rotation)
        return self.respond(team, status.HTTP_201_CREATED)

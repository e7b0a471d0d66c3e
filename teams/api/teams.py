"""/teams/ and /teams/{team}/: reading, changing and deleting teams. Creating one, with its
rotation settings, is schedules.api.teams (it plans the rotation)."""

import django_filters
from django.db.models import Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from oncall_project.base.api.fields import WallTimeField
from oncall_project.base.api.filters import ActiveFilter
from oncall_project.base.api.inputs import ModelInputSerializer
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from teams.actions import RotationSettings, TeamFields, team_soft_delete, team_update
from teams.api.names import PeopleNamesField, PersonNameField, people_names
from teams.models import Team
from teams.selectors import team_get, team_list, with_names

ROTATION_CONFIG_HINT = (
    "Rotation settings change through PATCH /api/v1/teams/{team}/rotation-config/, "
    "which also regenerates the future automatic schedules."
)


class TeamSerializer(serializers.ModelSerializer):
    oncall_engineer_name = PersonNameField(id_field="oncall_engineer")
    rotation_order_names = PeopleNamesField(ids_field="rotation_order")

    class Meta:
        model = Team
        fields = [
            "id",
            *TeamFields.names(),
            "oncall_engineer_name",
            "rotation_order_names",
            *RotationSettings.names(),
            "current_rotation_index",
            "next_handoff_at",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    rotation_order = serializers.ListField(child=serializers.CharField(), read_only=True)
    handoff_time = WallTimeField(
        read_only=True, help_text="The handoff's wall time in the team's time zone, hh:mm:ss."
    )


class TeamInputSerializer(ModelInputSerializer):
    """A team's own fields. The slug defaults to one made from the name."""

    class Meta:
        model = Team
        fields = sorted(TeamFields.names())
        extra_kwargs = {"slug": {"required": False}}

    def unknown_field_message(self, name: str) -> str:
        if name in RotationSettings.names():
            return ROTATION_CONFIG_HINT
        return super().unknown_field_message(name)


class TeamFilter(django_filters.FilterSet):
    is_active = ActiveFilter(label="Active teams (true, the default) or deleted ones (false).")
    search = django_filters.CharFilter(method="filter_search", label="Part of the name or slug.")

    class Meta:
        model = Team
        fields = ["is_active"]

    def filter_search(self, queryset, name, value: str):
        return queryset.filter(Q(name__icontains=value) | Q(slug__icontains=value))


@extend_schema(tags=["teams"])
class TeamViewSet(mixins.ListModelMixin, ApiViewSet):
    """Teams. Creating and deleting need staff; changing needs staff or a lead of the team."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilter
    lookup_url_kwarg = "team"
    lookup_value_regex = "[^/.]+"

    def get_queryset(self):
        return with_names(team_list(), oncall_engineer_name="oncall_engineer")

    def get_serializer(self, *args, **kwargs):
        if args and kwargs.get("many"):  # a page of teams: their orders' names in one query
            kwargs["context"] = {
                **self.get_serializer_context(),
                **people_names(args[0], "rotation_order"),
            }
        return super().get_serializer(*args, **kwargs)

    def get_object(self) -> Team:
        team = team_get(ref=self.kwargs["team"])
        self.check_object_permissions(self.request, team)
        return team

    @extend_schema(parameters=[TEAM_PATH_PARAMETER])
    def retrieve(self, request, *args, **kwargs):
        return self.respond(self.get_object())

    @extend_schema(
        parameters=[TEAM_PATH_PARAMETER], request=TeamInputSerializer, responses=TeamSerializer
    )
    def partial_update(self, request, *args, **kwargs):
        changes = self.parse(TeamInputSerializer, partial=True)
        team = team_update(
            team=self.get_object(), actor=self.actor(), changes=TeamFields(**changes)
        )
        return self.respond(team)

    @extend_schema(parameters=[TEAM_PATH_PARAMETER], responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Soft delete: the team is kept with is_active = false."""
        team_soft_delete(team=self.get_object(), actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)

"""/teams/{team}/oncall-schedules/ and /teams/{team}/oncall-schedules/{id}/."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.response import Response

from oncall_project.base.api.filters import add_filters
from oncall_project.base.api.inputs import ModelInputSerializer
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from schedules.actions import ScheduleFields, schedule_create, schedule_delete, schedule_update
from schedules.api.queries import RoleField
from schedules.models import Origin, Role, Schedule
from teams.api.names import PersonNameField
from teams.api.scoping import TeamScopedMixin
from teams.selectors import with_names


class ScheduleSerializer(serializers.ModelSerializer):
    engineer_name = PersonNameField(id_field="engineer_slack_id")
    created_by_name = PersonNameField(id_field="created_by")
    days_of_week = serializers.ListField(child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = Schedule
        fields = [
            "id",
            "team",
            "engineer_slack_id",
            "engineer_name",
            "start_date",
            "end_date",
            "schedule_type",
            "days_of_week",
            "origin",
            "role",
            "created_by",
            "created_by_name",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ScheduleInputSerializer(ModelInputSerializer):
    """A manual schedule. `end_date` is inclusive."""

    days_of_week = serializers.ListField(
        child=serializers.IntegerField(min_value=0, max_value=6),
        required=False,
        help_text="For `daily` schedules: the days covered, 0 = Monday … 6 = Sunday.",
    )

    class Meta:
        model = Schedule
        fields = sorted(ScheduleFields.names())


class ScheduleCreateSerializer(ScheduleInputSerializer):
    """A manual schedule on the team's primary line, or its backup line (`role`)."""

    role = RoleField(help_text="The line it is on: primary (default) or backup; it stays there.")

    class Meta(ScheduleInputSerializer.Meta):
        fields = [*ScheduleInputSerializer.Meta.fields, "role"]


@add_filters(
    **{
        "from": django_filters.DateFilter(
            field_name="end_date",
            lookup_expr="gte",
            label="Schedules ending on or after this date.",
        ),
        "to": django_filters.DateFilter(
            field_name="start_date",
            lookup_expr="lte",
            label="Schedules starting on or before this date.",
        ),
    }
)
class ScheduleFilter(django_filters.FilterSet):
    origin = django_filters.ChoiceFilter(choices=Origin.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Schedule
        fields = ["origin", "role"]


@extend_schema(tags=["schedules"], parameters=[TEAM_PATH_PARAMETER])
class ScheduleViewSet(
    TeamScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet
):
    """A team's schedules: who is on call for a run of dates (`origin` auto = made by the
    rotation, manual = entered by a person). Two schedules of a team never share a day."""

    serializer_class = ScheduleSerializer
    filterset_class = ScheduleFilter

    def get_queryset(self):
        if self.schema_only():
            return Schedule.objects.none()
        schedules = Schedule.objects.filter(team=self.team).order_by("start_date", "created_at")
        return with_names(
            schedules, engineer_name="engineer_slack_id", created_by_name="created_by"
        )

    @extend_schema(request=ScheduleCreateSerializer, responses={201: ScheduleSerializer})
    def create(self, request, *args, **kwargs):
        fields = self.parse(ScheduleCreateSerializer)
        role = fields.pop("role")
        schedule = schedule_create(
            team=self.team, actor=self.actor(), fields=ScheduleFields(**fields), role=role
        )
        return self.respond(schedule, status.HTTP_201_CREATED)

    @extend_schema(request=ScheduleInputSerializer, responses=ScheduleSerializer)
    def partial_update(self, request, *args, **kwargs):
        changes = self.parse(ScheduleInputSerializer, partial=True)
        schedule = schedule_update(
            schedule=self.get_object(), actor=self.actor(), changes=ScheduleFields(**changes)
        )
        return self.respond(schedule)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        schedule_delete(schedule=self.get_object(), actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)

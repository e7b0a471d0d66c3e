"""/services/, /services/{id}/ and /services/{id}/oncall/."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from oncall_project.base.api.filters import ActiveFilter
from oncall_project.base.api.inputs import ModelInputSerializer
from oncall_project.base.api.schema import error_response
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import NotFound
from schedules.api.oncall import TEAM_SOURCE_HELP, source_field
from schedules.api.queries import (
    AT_PARAMETER,
    ROLE_PARAMETER,
    AtQuerySerializer,
    LocalInstantField,
    instant,
    read_query,
)
from services.actions import ServiceFields, service_create, service_soft_delete, service_update
from services.api.oncall import OnCallAnswerSerializer, service_answer
from services.models import Service, Tier
from services.selectors.answers import service_on_call, team_on_call_now
from services.selectors.services import service_list
from teams.api.names import PersonNameField
from teams.api.scoping import TeamRefField, TeamSummarySerializer
from teams.selectors import names_for, team_ref_q, with_names

SERVICE_NAMES = {"service_owner_name": "service_owner", "primary_oncall_name": "primary_oncall"}


class TeamOnCallNowSerializer(serializers.Serializer):
    engineer_slack_id = serializers.CharField(
        source="engineer", allow_null=True, help_text="Null in a coverage gap."
    )
    engineer_name = serializers.SerializerMethodField(
        help_text="The people directory's name for `engineer_slack_id`."
    )
    source = source_field(TEAM_SOURCE_HELP)
    until = LocalInstantField(
        source="ends_at", help_text="The next handoff to someone else, in the team's time zone."
    )

    def get_engineer_name(self, answer) -> str | None:
        return self.context.get("team_oncall_names", {}).get(answer.engineer)


class ServiceTeamSerializer(TeamSummarySerializer):
    """The team embedded in a service, with who is on call for it now."""

    # Resolved for every service of a page at once by the view (`team_oncall` in the context).
    oncall = serializers.SerializerMethodField()

    class Meta(TeamSummarySerializer.Meta):
        fields = [*TeamSummarySerializer.Meta.fields, "oncall"]
        read_only_fields = fields

    @extend_schema_field(TeamOnCallNowSerializer(allow_null=True))
    def get_oncall(self, team) -> dict | None:
        answer = self.context.get("team_oncall", {}).get(team.pk)
        return TeamOnCallNowSerializer(answer, context=self.context).data if answer else None


class ServiceSerializer(serializers.ModelSerializer):
    team = ServiceTeamSerializer(read_only=True, allow_null=True)
    service_owner_name = PersonNameField(id_field="service_owner")
    primary_oncall_name = PersonNameField(id_field="primary_oncall")
    # Not `format: uri`: empty when the service has none.
    repository_url = serializers.CharField(
        read_only=True, help_text="The code repository's URL; empty when there is none."
    )

    class Meta:
        model = Service
        fields = [
            "id",
            "name",
            "team",
            "service_owner",
            "service_owner_name",
            "primary_oncall",
            "primary_oncall_name",
            "team_slack_group",
            "repository_url",
            "tech_stack",
            "environment",
            "tier",
            "metadata",
            "is_active",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ServiceInputSerializer(ModelInputSerializer):
    team = TeamRefField(
        required=False, allow_null=True, help_text="The owning team's id or slug; null for none."
    )
    metadata = serializers.DictField(
        required=False, help_text='Free-form links and facts, e.g. {"runbook": "https://…"}.'
    )

    class Meta:
        model = Service
        fields = sorted(ServiceFields.names())


class ServiceFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(method="filter_team", label="The team's id or slug.")
    tier = django_filters.ChoiceFilter(choices=Tier.choices)
    environment = django_filters.CharFilter(lookup_expr="iexact")
    is_active = ActiveFilter(label="Active services (true, the default) or deleted ones (false).")
    search = django_filters.CharFilter(
        method="filter_search", label="Part of the name or the tech stack."
    )

    class Meta:
        model = Service
        fields = ["team", "tier", "environment", "is_active", "search"]

    def filter_team(self, queryset, name, value: str):
        return queryset.filter(team_ref_q(value, prefix="team__"))

    def filter_search(self, queryset, name, value: str):
        return queryset.filter(Q(name__icontains=value) | Q(tech_stack__icontains=value))


@extend_schema(tags=["services"])
class ServiceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet):
    """Services and their owning team. Changes need staff or a lead of the (old and new) team."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter

    def get_queryset(self):
        return with_names(service_list(), **SERVICE_NAMES)

    def get_serializer(self, *args, **kwargs):
        if args and not kwargs.get("data"):
            services = args[0] if kwargs.get("many") else [args[0]]
            context = {**self.get_serializer_context(), **kwargs.get("context", {})}
            answers = team_on_call_now(services, timezone.now())
            context["team_oncall"] = answers
            context["team_oncall_names"] = names_for(a.engineer for a in answers.values())
            kwargs["context"] = context
        return super().get_serializer(*args, **kwargs)

    @extend_schema(
        parameters=[AT_PARAMETER, ROLE_PARAMETER],
        responses={200: OnCallAnswerSerializer, 404: error_response(404)},
        summary="Who is on call for the service",
        description="The service's team's on-call, else its primary on-call, else its owner, "
        "else a Slack group — as GET /oncall/?service= answers; a deleted service is a 404 "
        "there and here.",
    )
    @action(detail=True, methods=["get"])
    def oncall(self, request, *args, **kwargs):
        query = read_query(request, AtQuerySerializer)
        at, role = instant(query), query["role"]
        service = self.get_object()
        if not service.is_active:  # as /oncall/?service= and mentions know no deleted service
            raise NotFound(
                f"Service '{service.name}' is deleted: nobody is on call for it.",
                {"service": ["The service is deleted."]},
            )
        return Response(service_answer(service_on_call(service, at, role), at, role))

    @extend_schema(request=ServiceInputSerializer, responses={201: ServiceSerializer})
    def create(self, request, *args, **kwargs):
        fields = ServiceFields(**self.parse(ServiceInputSerializer))
        service = service_create(actor=self.actor(), fields=fields)
        return self.respond(service, status.HTTP_201_CREATED)

    @extend_schema(request=ServiceInputSerializer, responses=ServiceSerializer)
    def partial_update(self, request, *args, **kwargs):
        changes = self.parse(ServiceInputSerializer, partial=True)
        service = service_update(
            service=self.get_object(), actor=self.actor(), changes=ServiceFields(**changes)
        )
        return self.respond(service)

    @extend_schema(responses={204: None})
    def destroy(self, request, *args, **kwargs):
        """Soft delete: the service is kept with is_active = false."""
        service_soft_delete(service=self.get_object(), actor=self.actor())
        return Response(status=status.HTTP_204_NO_CONTENT)

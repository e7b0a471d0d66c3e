"""/teams/{team}/oncall-overrides/ and /teams/{team}/oncall-overrides/{id}/."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status

from oncall_project.base.api.inputs import CompleteInputSerializer, ModelInputSerializer
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.bounds import REASON_MAX_LENGTH
from schedules.actions import OverrideFields, override_decide, override_request
from schedules.api.queries import RoleField
from schedules.models import Override, OverrideStatus, Role
from teams.api.names import PersonNameField
from teams.api.scoping import TeamScopedMixin
from teams.selectors import with_names

OVERRIDE_NAMES = {
    "engineer_name": "engineer_slack_id",
    "replaces_name": "replaces_slack_id",
    "requested_by_name": "requested_by",
    "approved_by_name": "approved_by",
}
DECISIONS = [OverrideStatus.APPROVED, OverrideStatus.REJECTED, OverrideStatus.CANCELLED]


class OverrideSerializer(serializers.ModelSerializer):
    engineer_name = PersonNameField(id_field="engineer_slack_id")
    replaces_name = PersonNameField(id_field="replaces_slack_id")
    requested_by_name = PersonNameField(id_field="requested_by")
    approved_by_name = PersonNameField(id_field="approved_by")

    class Meta:
        model = Override
        fields = [
            "id",
            "team",
            "engineer_slack_id",
            "engineer_name",
            "replaces_slack_id",
            "replaces_name",
            "start_date",
            "end_date",
            "reason",
            "status",
            "role",
            "requested_by",
            "requested_by_name",
            "approved_by",
            "approved_by_name",
            "decided_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class OverrideRequestSerializer(ModelInputSerializer):
    """Who covers (and optionally for whom), for which dates (`end_date` inclusive)."""

    class Meta:
        model = Override
        fields = sorted(OverrideFields.names())


class OverrideCreateSerializer(OverrideRequestSerializer):
    """An override of the team's primary line, or of its backup line (`role`)."""

    role = RoleField(help_text="The line it covers: primary (default) or backup.")

    class Meta(OverrideRequestSerializer.Meta):
        fields = [*OverrideRequestSerializer.Meta.fields, "role"]


class OverrideDecisionSerializer(CompleteInputSerializer):
    status = serializers.ChoiceField(
        choices=[(s.value, s.label) for s in DECISIONS],
        help_text="approved / rejected (a lead of the team or staff), or cancelled (also the "
        "requester or the covering engineer).",
    )
    reason = serializers.CharField(required=False, allow_blank=True, max_length=REASON_MAX_LENGTH)


class OverrideFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=OverrideStatus.choices)
    role = django_filters.ChoiceFilter(choices=Role.choices)

    class Meta:
        model = Override
        fields = ["status", "role"]


@extend_schema(tags=["overrides"], parameters=[TEAM_PATH_PARAMETER])
class OverrideViewSet(
    TeamScopedMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, ApiViewSet
):
    """A team's overrides: someone covers for a run of dates, possibly after a lead's approval."""

    serializer_class = OverrideSerializer
    filterset_class = OverrideFilter

    def get_queryset(self):
        if self.schema_only():
            return Override.objects.none()
        overrides = Override.objects.filter(team=self.team).order_by("start_date", "created_at")
        return with_names(overrides, **OVERRIDE_NAMES)

    @extend_schema(
        request=OverrideCreateSerializer,
        responses={201: OverrideSerializer},
        description="The team's members, leads and staff may ask (else 403). The override is "
        "`pending` when the "
        "team requires a lead's approval, else `approved` at once.",
    )
    def create(self, request, *args, **kwargs):
        fields = self.parse(OverrideCreateSerializer)
        role = fields.pop("role")
        override = override_request(
            team=self.team, actor=self.actor(), fields=OverrideFields(**fields), role=role
        )
        return self.respond(override, status.HTTP_201_CREATED)

    @extend_schema(
        request=OverrideDecisionSerializer,
        responses=OverrideSerializer,
        description="Decide or cancel: pending → approved | rejected | cancelled, "
        "approved → cancelled. Any other transition is refused with 409.",
    )
    def partial_update(self, request, *args, **kwargs):
        decision = self.parse(OverrideDecisionSerializer)
        override = override_decide(override=self.get_object(), actor=self.actor(), **decision)
        return self.respond(override)

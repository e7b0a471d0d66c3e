"""/teams/{team}/oncall-history/: the ledger — who really was on call each on-call day."""

import django_filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from oncall_project.base.api.filters import add_filters
from oncall_project.base.api.schema import TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from schedules.api.oncall import TEAM_SOURCE_HELP, source_field
from schedules.models import OnCallRecord
from teams.api.names import PersonNameField
from teams.api.scoping import TeamScopedMixin
from teams.selectors import with_names


class OnCallRecordSerializer(serializers.ModelSerializer):
    engineer_slack_id = serializers.CharField(
        read_only=True, help_text="Empty when nobody was on call (a coverage gap)."
    )
    engineer_name = PersonNameField(id_field="engineer_slack_id")
    source = source_field(TEAM_SOURCE_HELP, read_only=True)

    class Meta:
        model = OnCallRecord
        fields = [
            "id",
            "on_call_date",
            "engineer_slack_id",
            "engineer_name",
            "source",
            "created_at",
        ]
        read_only_fields = fields


@add_filters(
    **{
        "from": django_filters.DateFilter(
            field_name="on_call_date", lookup_expr="gte", label="On-call days from this date."
        ),
        "to": django_filters.DateFilter(
            field_name="on_call_date",
            lookup_expr="lte",
            label="On-call days up to this date (inclusive).",
        ),
    }
)
class OnCallRecordFilter(django_filters.FilterSet):
    class Meta:
        model = OnCallRecord
        fields: list[str] = []


@extend_schema(tags=["on-call"], parameters=[TEAM_PATH_PARAMETER])
class OnCallHistoryViewSet(TeamScopedMixin, mixins.ListModelMixin, ApiViewSet):
    """The team's on-call ledger, written at each handoff and never changed. Newest first."""

    serializer_class = OnCallRecordSerializer
    filterset_class = OnCallRecordFilter

    def get_queryset(self):
        if self.schema_only():
            return OnCallRecord.objects.none()
        records = OnCallRecord.objects.filter(team=self.team).order_by("-on_call_date")
        return with_names(records, engineer_name="engineer_slack_id")

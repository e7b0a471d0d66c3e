"""/audit-logs/: the domain event log, read-only, each entry with its team."""

import django_filters
from django.db.models import Subquery
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers

from audit.models import AuditLog, EntityType
from audit.selectors import audit_log_list
from oncall_project.base.api.filters import InstantRangeFilter, add_filters
from oncall_project.base.api.pagination import NewestFirstPagination
from oncall_project.base.api.views import ApiViewSet
from teams.api.names import PersonNameField
from teams.api.scoping import TeamSummarySerializer
from teams.models import Team
from teams.selectors import team_ref_q, with_names

# The people an entry names, each with the directory's name beside the id (read with the rows)
NAMED = {
    "actor_name": "actor_id",
    "engineer_name": "engineer_slack_id",
    "previous_engineer_name": "previous_engineer_slack_id",
}


class AuditLogSerializer(serializers.ModelSerializer):
    team = TeamSummarySerializer(read_only=True, allow_null=True)
    actor_name = PersonNameField(
        id_field="actor_id", help_text="The people directory's name for the actor, if a person."
    )
    engineer_name = PersonNameField(id_field="engineer_slack_id")
    previous_engineer_name = PersonNameField(id_field="previous_engineer_slack_id")
    changes = serializers.DictField(
        read_only=True, help_text='What changed: {"field": {"old": X, "new": Y}}.'
    )
    metadata = serializers.DictField(
        read_only=True, help_text="Where the change came from: source, request id, client address."
    )

    class Meta:
        model = AuditLog
        fields = [
            "id",
            "created_at",
            "team",
            "entity_type",
            "entity_id",
            "action",
            "actor_type",
            "actor_id",
            "actor_name",
            "changes",
            "metadata",
            "engineer_slack_id",
            "engineer_name",
            "previous_engineer_slack_id",
            "previous_engineer_name",
            "change_type",
            "change_reason",
            "effective_date",
        ]
        read_only_fields = fields


@add_filters(
    **{
        "from": InstantRangeFilter(
            field_name="created_at",
            upper=False,
            label="Entries at or after this instant (ISO 8601; a date means its start, UTC).",
        ),
        "to": InstantRangeFilter(
            field_name="created_at",
            upper=True,
            label="Entries up to this instant (ISO 8601; a date includes that whole day, UTC).",
        ),
    }
)
class AuditLogFilter(django_filters.FilterSet):
    entity_type = django_filters.ChoiceFilter(choices=EntityType.choices)
    entity_id = django_filters.CharFilter(label="The changed object's id.")
    action = django_filters.CharFilter(
        label="e.g. created, updated, deleted, override_requested, override_approved."
    )
    actor_id = django_filters.CharFilter(label="Who acted: a Slack user id or a username.")
    team = django_filters.CharFilter(method="filter_team", label="The team's id or slug.")

    class Meta:
        model = AuditLog
        fields = ["entity_type", "entity_id", "action", "actor_id", "team"]

    def filter_team(self, queryset, name, value: str):
        # The team's id as one value (a subquery run once), so the list reads the index on
        # (team, created_at, id) in order rather than joining every entry to its team.
        team = Team.objects.filter(team_ref_q(value)).values("pk")[:1]
        return queryset.filter(team_id=Subquery(team))


@extend_schema(tags=["audit"])
class AuditLogViewSet(mixins.ListModelMixin, ApiViewSet):
    """The audit log: every change, who made it, old and new values. Newest first, a page at
    a time: follow `next` (a cursor); `count` is exact up to 10,000 (`count_capped` beyond)."""

    serializer_class = AuditLogSerializer
    pagination_class = NewestFirstPagination
    filterset_class = AuditLogFilter

    def get_queryset(self):
        return with_names(audit_log_list(), **NAMED)

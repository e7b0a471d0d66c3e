"""/coverage-gaps/: the on-call days ahead with nobody on call, for every active team."""

import datetime

import django_filters
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers

from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import NotFound
from schedules import domain, lines, selectors
from schedules.api.oncall import team_error_field
from schedules.api.queries import read_query
from schedules.models import Role
from teams.api.scoping import TeamSummarySerializer
from teams.models import Team
from teams.selectors import team_list, team_ref_q

MAX_DAYS = 90


class CoverageQuerySerializer(serializers.Serializer):
    days = serializers.IntegerField(min_value=1, max_value=MAX_DAYS, default=14)


class GapSerializer(serializers.Serializer):
    start_date = serializers.DateField()
    end_date = serializers.DateField(help_text="Inclusive.")
    days = serializers.IntegerField()


class TeamGapsSerializer(serializers.Serializer):
    team = TeamSummarySerializer()
    gaps = GapSerializer(
        many=True,
        allow_null=True,
        help_text="Runs of on-call days with nobody; often empty. Null when the team's on-call "
        "cannot be worked out (`team_error` says why).",
    )
    team_error = team_error_field("")
    backup_gaps = GapSerializer(
        many=True,
        required=False,
        help_text="The backup line's runs of on-call days with nobody (its own on-call "
        "dates); only for a team with a backup line.",
    )


class CoverageFilter(django_filters.FilterSet):
    team = django_filters.CharFilter(method="filter_team", label="Only this team (id or slug).")

    class Meta:
        model = Team
        fields = ["team"]

    def filter_team(self, queryset, name, value: str):
        return queryset.filter(team_ref_q(value))


@extend_schema(tags=["on-call"])
class CoverageGapViewSet(ApiViewSet):
    """Coverage gaps from each team's current on-call day, one entry per active team."""

    serializer_class = TeamGapsSerializer
    filterset_class = CoverageFilter

    def get_queryset(self):
        # The backup line joined: whether a team has one costs no query.
        return (
            team_list().filter(is_active=True).select_related("backup_line").order_by("name", "pk")
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "days",
                int,
                description=f"How many on-call days to look at, from today (1 to {MAX_DAYS}; "
                "default 14).",
            )
        ],
        responses=TeamGapsSerializer(many=True),
        summary="Coverage gaps of every active team",
        description="One entry per active team (paginated); with `team`, that team's only — "
        "404 when no active team has that id or slug.",
    )
    def list(self, request, *args, **kwargs):
        days = read_query(request, CoverageQuerySerializer)["days"]
        teams = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        ref = request.query_params.get("team", "")
        if ref and not self.paginator.page.paginator.count:
            # As /oncall/?team= answers: a team asked for by name that is not there is a 404.
            raise NotFound(f"No active team '{ref}'.", {"team": ["No such active team."]})
        rows = team_gaps(teams, days, backups=True)
        return self.get_paginated_response(TeamGapsSerializer(rows, many=True).data)


def team_gaps(teams: list[Team], days: int, *, backups: bool = False) -> list[dict]:
    """Two queries for any number of teams: every team's state in one go. With `backups` (the
    teams loaded with their backup line), the backup lines' gaps too: a few queries more,
    none when no team has one. A team the engine cannot read (`selectors.readable`) has no
    gaps (None, not none found) and the reason, and the others are answered."""
    readable, refused = selectors.readable(teams)
    rows = {r.team.pk: {"team": r.team, "gaps": None, "team_error": r.reason} for r in refused}
    rows |= _readable_gaps(readable, days, backups) if readable else {}
    return [rows[t.pk] for t in teams]


def _readable_gaps(teams: list[Team], days: int, backups: bool) -> dict[object, dict]:
    now = timezone.now()
    starts = {t.pk: selectors.local_today(t, now) for t in teams}
    last = max(starts.values()) + datetime.timedelta(days=days)
    states = selectors.team_states(teams, min(starts.values()), last)
    rows = {
        t.pk: {"team": t, "gaps": domain.coverage_gaps(states[t.pk], starts[t.pk], days)}
        for t in teams
    }
    with_backup = [t for t in teams if lines.has_backup_line(t)] if backups else []
    if with_backup:
        backups = lines.backup_states(with_backup, min(starts.values()), last)
        for pk, row in rows.items():
            if pk in backups:
                today = lines.line_today(row["team"], Role.BACKUP, now)
                row["backup_gaps"] = domain.coverage_gaps(backups[pk], today, days)
    return rows

"""/teams/{team}/oncall/: who is on call for a team at an instant, since when, until when, and
whom to try next — plus the answer fields every on-call endpoint shares."""

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers

from oncall_project.base.api.schema import EXAMPLE_TEAM, TEAM_PATH_PARAMETER
from oncall_project.base.api.views import ApiViewSet
from oncall_project.base.errors import NotFound
from schedules import domain, oncall_now
from schedules.api.queries import (
    AT_PARAMETER,
    ROLE_PARAMETER,
    AtQuerySerializer,
    LocalInstantField,
    instant,
    read_query,
)
from schedules.models import Role
from schedules.selectors import refusal, whom_to_tag
from teams.api.scoping import TeamScopedMixin, TeamSummarySerializer
from teams.models import Team
from teams.selectors import names_for

# One choice set for every `source` in the API (team layers, then a service's fallbacks), so
# the schema has one enum for it.
SOURCE_CHOICES = [s.value for s in domain.ServiceSource]
KIND_CHOICES = [k.value for k in domain.MentionKind]


def source_field(help_text: str, **kwargs: Any) -> serializers.ChoiceField:
    return serializers.ChoiceField(choices=SOURCE_CHOICES, help_text=help_text, **kwargs)


TEAM_ERROR_HELP = (
    "Why the team's on-call could not be worked out (its time zone, say, is no longer in the "
    "server's tz database); absent when it could."
)
FALLS_BACK = (
    " The answer then falls back to the team's default engineer and the service's own fallbacks."
)


def team_error_field(more: str = FALLS_BACK) -> serializers.CharField:
    # Not nullable: DRF renders a nullable field missing from the answer as null, not absent.
    return serializers.CharField(required=False, help_text=TEAM_ERROR_HELP + more)


def team_error_json(answer: domain.ServiceAnswer) -> dict[str, str]:
    """`{"team_error": …}` where the team's on-call could not be worked out, else nothing."""
    return {"team_error": answer.team_error} if answer.team_error else {}


TEAM_SOURCE_HELP = (
    "Which layer answered: override, schedule, rotation, team_default, or none (a coverage gap)."
)


class ChainLinkSerializer(serializers.Serializer):
    source = source_field("What this link is.")
    target = serializers.CharField(help_text="A Slack user id (U…) or user group id (S…).")
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    mention = serializers.CharField(help_text="Slack mark-up: `<@U…>` or `<!subteam^S…>`.")


def chain_json(answer: domain.ServiceAnswer) -> list[dict[str, str | None]]:
    """The answer's links (whom to tag, in order, each once), as ChainLinkSerializer renders
    them."""
    return [
        {
            "source": str(step.source),
            "target": step.target,
            "kind": str(step.kind),
            "mention": step.mention,
        }
        for step in answer.links
    ]


def _run_dates(answer: domain.OnCallAnswer) -> dict[str, datetime.date | None]:
    """The run's first and last on-call dates; None at an end still going past a year."""
    return {
        "from_date": None if answer.open_start else answer.from_date,
        "until_date": None if answer.open_end else answer.until_date,
    }


def instant_json(value: datetime.datetime | None) -> str | None:
    """As LocalInstantField renders it: in its own (the team's) offset, UTC as Z."""
    return value.isoformat().replace("+00:00", "Z") if value else None


def period_json(answer: domain.OnCallAnswer | None) -> dict[str, Any]:
    """The period fields of `period_fields`, as JSON; all null without a team's answer."""
    if answer is None:
        return dict.fromkeys(("on_call_date", "from", "until", "from_date", "until_date"))
    dates = {name: day.isoformat() if day else None for name, day in _run_dates(answer).items()}
    return {
        "on_call_date": answer.on_call_date.isoformat(),
        "from": instant_json(answer.since),
        "until": instant_json(answer.until),
        **dates,
    }


def team_json(team: Team | None) -> dict[str, str] | None:
    """As TeamSummarySerializer renders it."""
    return {"id": str(team.pk), "name": team.name, "slug": team.slug} if team else None


def answer_json(
    answer: domain.ServiceAnswer, team: Team | None, at: datetime.datetime, role: str
) -> dict[str, Any]:
    """Whom to tag, why, for how long and whom next, as the bot's lookups answer it (every
    field of `services.api.oncall.OnCallAnswerSerializer` but `service`): built as JSON
    directly, for the bot's hottest endpoints; the schema test holds the two together."""
    engineer = answer.target if answer.kind == domain.MentionKind.USER else None
    return {
        "team": team_json(team),
        "engineer_slack_id": engineer,
        "engineer_name": engineer_name(engineer, team, at, role),
        "target": answer.target,
        "kind": str(answer.kind) if answer.kind else None,
        "mention": answer.mention,
        "source": str(answer.source),
        **period_json(answer.team_answer),
        "fallback_chain": chain_json(answer),
        **team_error_json(answer),
    }


def engineer_name(
    engineer: str | None, team: Team | None, at: datetime.datetime, role: str
) -> str | None:
    """The name of whom an answer tags (`engineer_names`)."""
    if engineer is None:
        return None
    return engineer_names([engineer], team, at, role)[engineer]


def engineer_names(
    ids: Iterable[str | None],
    team: Team | None,
    at: datetime.datetime,
    role: str,
    known: Mapping[str, str | None] | None = None,
) -> dict[str, str | None]:
    """The names of `ids` (None: none known): as the team's state names its members, else as
    `known` (the directory's, read already: None where it names nobody) or the directory names
    them (one query for all the others, then kept with the state)."""
    wanted = {i for i in ids if i}
    known = known or {}
    readable = team is not None and team.is_active and refusal(team) is None
    kept = oncall_now.names_at(team, at, role) if readable else {}
    found = {i: kept.get(i) or known.get(i) for i in wanted}
    missing = {i for i, name in found.items() if not name and i not in kept and i not in known}
    if missing:
        read = names_for(missing)
        kept.update((i, read.get(i)) for i in missing)  # the next lookup of the day reads it
        found |= read
    return {i: found.get(i) for i in wanted}


OPEN_END = " Null when the run goes on more than a year past the instant: until further notice."
OPEN_START = " Null when the run began more than a year before the instant."


def period_fields(**extra: serializers.Field) -> dict[str, serializers.Field]:
    """`from`/`until` (a keyword cannot be a class attribute) and the dates they hold for."""
    nullable = {**extra, "allow_null": True}
    return {
        "on_call_date": serializers.DateField(
            help_text="The team's on-call day holding the instant (it starts at the handoff "
            "time, in the team's time zone).",
            **extra,
        ),
        "from": LocalInstantField(
            source="starts_at",
            help_text="The handoff that began this run of days with the same engineer and "
            "source, in the team's time zone." + OPEN_START,
            **nullable,
        ),
        "until": LocalInstantField(
            source="ends_at",
            help_text="The handoff that ends it, in the team's time zone." + OPEN_END,
            **nullable,
        ),
        "from_date": serializers.DateField(
            help_text="First on-call day of the run." + OPEN_START,
            **nullable,
        ),
        "until_date": serializers.DateField(
            help_text="Last on-call day of the run (inclusive)." + OPEN_END, **nullable
        ),
    }


class BackupAnswerSerializer(serializers.Serializer):
    """The team's backup on call beside a primary answer."""

    engineer_slack_id = serializers.CharField(
        allow_null=True, help_text="The backup on call; null in a gap of the backup line."
    )
    engineer_name = serializers.CharField(
        allow_null=True,
        help_text="Their name: the team's for its member, else the people directory's.",
    )
    source = source_field(TEAM_SOURCE_HELP)
    # `from`/`until`: keywords, so declared in get_fields.

    def get_fields(self) -> dict[str, serializers.Field]:
        # Rendered already (`backup_json`, in the team's offset): a string passes through.
        return {
            **super().get_fields(),
            "from": serializers.DateTimeField(
                allow_null=True, help_text="The handoff that began the backup's run."
            ),
            "until": serializers.DateTimeField(
                allow_null=True, help_text="The backup line's handoff that ends it."
            ),
        }


BACKUP_HELP = (
    "The team's backup on call at the same instant, when the team has a backup line (absent "
    "otherwise, and in a backup answer)."
)


def backup_field(**kwargs: Any) -> BackupAnswerSerializer:
    # Not nullable: DRF renders a nullable field missing from the answer as null, not absent.
    return BackupAnswerSerializer(required=False, help_text=BACKUP_HELP, **kwargs)


def backup_json(team: Team | None, at: datetime.datetime, role: str) -> dict[str, Any]:
    """`{"backup": …}` for a primary answer of a team with a backup line, else nothing (the
    key absent): no query for a team without one (its backup line is loaded with it)."""
    if team is None or role != Role.PRIMARY:
        return {}
    answer = oncall_now.backup_now([team], at).get(team.pk)
    if answer is None:
        return {}
    return {
        "backup": {
            "engineer_slack_id": answer.engineer,
            # the names kept with the line's answer: no state loaded for them
            "engineer_name": engineer_name(answer.engineer, team, at, Role.BACKUP),
            "source": str(answer.source),
            "from": instant_json(answer.since),
            "until": instant_json(answer.until),
        }
    }


def line_tag(team: Team, answer: domain.OnCallAnswer, role: str) -> domain.ServiceAnswer:
    """Whom to tag for a line's answer: the primary falls back to the team's default engineer
    and Slack group; the backup line has no fallback of its own."""
    if role == Role.BACKUP:
        return domain.resolve_team(answer, default=None, slack_group=None)
    return whom_to_tag(team, answer)


class TeamOnCallSerializer(serializers.Serializer):
    team = TeamSummarySerializer()
    engineer_slack_id = serializers.CharField(
        allow_null=True, help_text="Who is on call; null in a coverage gap."
    )
    engineer_name = serializers.CharField(
        allow_null=True,
        help_text="Their name (the team's for its member, else the people directory's; from "
        "the same query); null in a gap or when the on-call is not a member of the team.",
    )
    display_name = serializers.CharField(
        allow_blank=True, help_text="Their name as the team knows them (as engineer_name)."
    )
    mention = serializers.CharField(allow_null=True, help_text="`<@U…>`; null in a gap.")
    source = source_field(TEAM_SOURCE_HELP)
    fallback_chain = ChainLinkSerializer(
        many=True,
        help_text="Whom to tag, in order: the on-call, the team's default engineer, the "
        "team's Slack group (each once). Empty only when the team has none of them.",
    )

    backup = backup_field()

    def get_fields(self) -> dict[str, serializers.Field]:
        fields = super().get_fields()
        chain, backup = fields.pop("fallback_chain"), fields.pop("backup")
        return {**fields, **period_fields(), "fallback_chain": chain, "backup": backup}


def answering(team: Team) -> Team:
    """The team, if it has an on-call to tell: a deleted team's handoffs stopped and its services
    fall back as if it had none, so the bot is told it is deleted (404, as `/who/` and Slack's
    `/oncall` find no such team) rather than given a name from its kept data. What was stays
    readable in its on-call history."""
    if not team.is_active:
        raise NotFound(
            f"Team '{team.name}' is deleted: nobody is on call for it (who was is in "
            f"/api/v1/teams/{team.slug}/oncall-history/).",
            {"team": ["The team is deleted."]},
        )
    return team


def team_on_call(team: Team, at: datetime.datetime, role: str = Role.PRIMARY) -> dict[str, Any]:
    """The team's answer of its `role` line at `at`, as TeamOnCallSerializer reads it (three
    queries: the team is loaded; a few more for a backup line)."""
    state = oncall_now.state_at(team, at, role)
    engine = domain.who_is_on_call(state, at)
    answer = line_tag(team, engine, role)
    names = {m.slack_user_id: m.display_name for m in state.members}
    return {
        "team": team,
        "engineer_slack_id": engine.engineer,
        # the team's name for its member, else the directory's (who covers may be anyone)
        "engineer_name": names.get(engine.engineer)
        or engineer_name(engine.engineer, team, at, role),
        "display_name": names.get(engine.engineer, "") if engine.engineer else "",
        "mention": answer.mention,
        "source": str(answer.source),
        "on_call_date": engine.on_call_date,
        "starts_at": engine.since,
        "ends_at": engine.until,
        **_run_dates(engine),
        "fallback_chain": chain_json(answer),
        **backup_json(team, at, role),
    }


TEAM_ONCALL_EXAMPLE = OpenApiExample(
    "Payments, on a rotation",
    value={
        "team": EXAMPLE_TEAM,
        "engineer_slack_id": "U_ALICE",
        "engineer_name": "Alice",
        "display_name": "Alice",
        "mention": "<@U_ALICE>",
        "source": "rotation",
        "on_call_date": "2026-12-08",
        "from": "2026-12-07T09:00:00+01:00",
        "until": "2026-12-14T09:00:00+01:00",
        "from_date": "2026-12-07",
        "until_date": "2026-12-13",
        "fallback_chain": [
            {"source": "rotation", "target": "U_ALICE", "kind": "user", "mention": "<@U_ALICE>"},
            {"source": "team_default", "target": "U_LEAD", "kind": "user", "mention": "<@U_LEAD>"},
            {
                "source": "slack_group",
                "target": "S_PAYMENTS",
                "kind": "group",
                "mention": "<!subteam^S_PAYMENTS>",
            },
        ],
        "backup": {
            "engineer_slack_id": "U_BOB",
            "engineer_name": "Bob",
            "source": "rotation",
            "from": "2026-12-07T09:00:00+01:00",
            "until": "2026-12-14T09:00:00+01:00",
        },
    },
)


@extend_schema(tags=["on-call"], parameters=[TEAM_PATH_PARAMETER])
class TeamOnCallViewSet(TeamScopedMixin, ApiViewSet):
    """Who is on call for a team."""

    serializer_class = TeamOnCallSerializer

    @extend_schema(
        parameters=[AT_PARAMETER, ROLE_PARAMETER],
        responses=TeamOnCallSerializer,
        examples=[TEAM_ONCALL_EXAMPLE],
        summary="Who is on call for the team",
        description="Highest layer first: an approved override, a schedule, the rotation, the "
        "team's default engineer; else nobody (`source` none: a coverage gap). The answer "
        "holds from `from` until `until`. `?role=backup` answers for the backup line (no "
        "default engineer there); a primary answer carries `backup` when the team has one. "
        "A deleted team is a 404: nobody is on call for it.",
    )
    def retrieve(self, request, *args, **kwargs):
        query = read_query(request, AtQuerySerializer)
        return self.respond(team_on_call(answering(self.team), instant(query), query["role"]))

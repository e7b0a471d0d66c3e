"""`team_memberships` → TeamMembership, and a default membership for each person in a legacy
`rotation_order`: the old custom order needed no membership row, ours takes turns only from
members (schedules/domain/roster.py), so without one the imported rotation would have nobody.

A membership has no legacy id: it is already present when its (team, Slack user) is."""

import datetime
from typing import Any

from django.utils import timezone

from oncall_project.base import slack_ids
from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.source import TEAM_TABLES
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import aware, extra_columns, ref, text, validate
from oncall_project.legacy.writer import insert
from teams.models import TeamMembership, TeamRole

TABLE = "team_memberships"
DERIVED = "teams.rotation_order"
KNOWN = frozenset(
    {
        "id",
        "team_id",
        "slack_user_id",
        "display_name",
        "team_role",
        "is_eligible_for_oncall",
        "weight",
        "in_slack_group",
        "joined_at",
        "created_at",
        "updated_at",
    }
)

Key = tuple[Any, str]


def import_memberships(run: ImportRun) -> None:
    present: set[Key] = set(
        TeamMembership.objects.filter(team_id__in=set(run.teams.values())).values_list(
            "team_id", "slack_user_id"
        )
    )
    if run.snapshot.has(TABLE):
        rows = run.snapshot.rows(TABLE)
        _import(run, TABLE, [_from_row(run, row) for row in rows], present)
    _import(run, DERIVED, _from_rotation_orders(run), present)


def _import(
    run: ImportRun, table: str, built: list[tuple[dict, TeamMembership]], present: set[Key]
) -> None:
    new = []
    for row, membership in built:
        key = (membership.team_id, membership.slack_user_id)
        if key not in present:
            present.add(key)
            new.append((membership, row))
    insert(TeamMembership, new)
    count = run.count(table)
    count.source, count.imported = len(built), len(new)
    count.present = len(built) - len(new)
    _verify(table, [membership for _, membership in built])


def _from_row(run: ImportRun, row: dict[str, Any]) -> tuple[dict, TeamMembership]:
    legacy_id = ref(TABLE, row["id"])
    joined = row.get("joined_at")
    weight = row.get("weight")
    membership = TeamMembership(
        team_id=run.team_pk(row["team_id"], legacy_id),
        slack_user_id=text(row.get("slack_user_id")),
        display_name=text(row.get("display_name")),
        team_role=row.get("team_role") or TeamRole.MEMBER,
        is_eligible_for_oncall=row.get("is_eligible_for_oncall") is not False,
        weight=1.0 if weight is None else float(weight),
        in_slack_group=row.get("in_slack_group"),
        joined_at=_date(joined) or _date(row.get("created_at")) or timezone.localdate(),
    )
    validate(membership, legacy_id)
    run.keep(legacy_id, extra_columns(row, KNOWN))
    # The legacy joined_at is a timestamp; created_at keeps its time of day.
    created = row.get("created_at") or (joined if isinstance(joined, datetime.datetime) else None)
    return {"created_at": created, "updated_at": row.get("updated_at")}, membership


def _from_rotation_orders(run: ImportRun) -> list[tuple[dict, TeamMembership]]:
    built, seen = [], set()
    for table in TEAM_TABLES:
        for row in run.snapshot.rows(table):
            team_pk = run.teams[str(row["id"])]
            joined = row.get("rotation_start_date") or _date(row.get("created_at"))
            order = row.get("rotation_order")
            for slack_id in order if isinstance(order, list) else []:
                # a hand-edited order may hold anything JSON does: a number is nobody
                is_user = isinstance(slack_id, str) and slack_ids.is_user_id(slack_id)
                if is_user and (team_pk, slack_id) not in seen:
                    seen.add((team_pk, slack_id))
                    membership = TeamMembership(
                        team_id=team_pk,
                        slack_user_id=slack_id,
                        joined_at=joined or timezone.localdate(),
                    )
                    built.append(({}, membership))
    return built


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return aware(value).astimezone(datetime.UTC).date()
    return value


def _verify(table: str, built: list[TeamMembership]) -> None:
    keys = {(m.team_id, m.slack_user_id) for m in built}
    found = set(
        TeamMembership.objects.filter(team_id__in={team for team, _ in keys}).values_list(
            "team_id", "slack_user_id"
        )
    )
    if not keys <= found:
        raise LegacyImportError(f"{table}: {len(keys - found)} memberships were not written.")

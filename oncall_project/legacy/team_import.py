"""`teams` (and its earlier name, `service_groups`) → Team.

The old `teams` row has no name: like the old system's own backfill (plans/001 §1.1), the
name comes from the Slack group id; a `service_groups` row brings its `group_name`."""

from typing import Any

from django.utils.text import slugify

from oncall_project.legacy.source import TEAM_TABLES
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import extra_columns, text, validate, with_notes
from oncall_project.legacy.writer import import_table
from teams.models import Team

KNOWN = frozenset(
    {
        "id",
        "name",
        "group_name",
        "slug",
        "description",
        "slack_group_id",
        "group_slack_handle",
        "slack_channel_id",
        "oncall_engineer",
        "rotation_enabled",
        "rotation_type",
        "rotation_order",
        "rotation_interval",
        "rotation_start_date",
        "handoff_day",
        "handoff_time",
        "current_rotation_index",
        "is_active",
        "metadata",
        "created_at",
        "updated_at",
    }
)
# Values a team can do without: a malformed one is kept in metadata and the field left blank.
SOFT = frozenset(
    {
        "slack_group_id",
        "slack_channel_id",
        "oncall_engineer",
        "rotation_order",
        "current_rotation_index",
    }
)
# Only set when the legacy row has a value; otherwise our defaults (UTC 09:00, weekly…).
OPTIONAL = ("rotation_type", "rotation_interval", "handoff_time")


def import_teams(run: ImportRun) -> None:
    slugs = set(Team.objects.values_list("slug", flat=True))
    for table in TEAM_TABLES:
        if not run.snapshot.has(table):
            continue

        pks = import_table(
            run, Team, table, lambda row, legacy_id: _build(run, row, legacy_id, slugs)
        )
        for row in run.snapshot.rows(table):
            run.teams.setdefault(str(row["id"]), pks[f"{table}:{row['id']}"])


def team_name(row: dict[str, Any]) -> str:
    for column in ("name", "group_name", "slack_group_id", "group_slack_handle"):
        if row.get(column):
            return str(row[column])
    return f"Legacy team {str(row['id'])[:8]}"


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    group = row["slack_group_id"] if "slack_group_id" in row else row.get("group_slack_handle")
    fields = {
        "name": team_name(row),
        "description": text(row.get("description")),
        "slack_group_id": text(group),
        "slack_channel_id": text(row.get("slack_channel_id")),
        "oncall_engineer": text(row.get("oncall_engineer")),
        "rotation_enabled": bool(row.get("rotation_enabled")),
        "rotation_order": row.get("rotation_order") or [],
        "rotation_start_date": row.get("rotation_start_date"),
        "handoff_day": row.get("handoff_day"),
        "current_rotation_index": row.get("current_rotation_index") or 0,
        "is_active": row.get("is_active") is not False,
    }
    fields.update({name: row[name] for name in OPTIONAL if row.get(name) is not None})
    return fields


def _build(run: ImportRun, row: dict[str, Any], legacy_id: str, slugs: set[str]) -> Team:
    fields = _fields(row)
    wanted = slugify(row.get("slug") or fields["name"])[:130] or "team"
    team = Team(slug=_unique_slug(wanted, slugs), legacy_id=legacy_id, **fields)
    # Unique fields: the slug was made unique above, the legacy id is new, the token random.
    invalid = validate(team, legacy_id, soft=SOFT)
    for name, value in invalid.items():
        run.warnings.append(f"{legacy_id}: kept {name}={value!r} in metadata (not valid here).")
    # The old on-call is who the first handoff here hands over from: no spurious handoff.
    team.current_engineer = team.oncall_engineer
    notes = {"columns": extra_columns(row, KNOWN), "invalid": invalid}
    if team.slug != wanted:
        notes["slug"] = wanted
        run.warnings.append(f"{legacy_id}: slug '{wanted}' is taken, imported as '{team.slug}'.")
    team.metadata = with_notes(row.get("metadata"), notes)
    return team


def _unique_slug(wanted: str, taken: set[str]) -> str:
    slug, n = wanted, 2
    while slug in taken:
        slug, n = f"{wanted}-{n}", n + 1
    taken.add(slug)
    return slug

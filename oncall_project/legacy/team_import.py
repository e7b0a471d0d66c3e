"""`teams` (and its earlier name, `service_groups`) → Team.

The old `teams` row has no name: like the old system's own backfill (plans/001 §1.1), the
name comes from the Slack group id; a `service_groups` row brings its `group_name`."""

from collections.abc import Callable
from dataclasses import dataclass
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
NAME_MAX = Team._meta.get_field("name").max_length
# Only set when the legacy row has a value; otherwise our defaults (UTC 09:00, weekly…).
OPTIONAL = ("rotation_type", "rotation_interval", "handoff_time")


def import_teams(run: ImportRun) -> None:
    taken = _Taken(
        slugs=set(Team.objects.values_list("slug", flat=True)),
        names={name.lower() for name in Team.objects.values_list("name", flat=True)},
    )
    for table in TEAM_TABLES:
        if not run.snapshot.has(table):
            continue

        pks = import_table(
            run, Team, table, lambda row, legacy_id: _build(run, row, legacy_id, taken)
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


@dataclass(frozen=True)
class _Taken:
    """Slugs, and names lower-cased (unique whatever the case), already used."""

    slugs: set[str]
    names: set[str]


def _build(run: ImportRun, row: dict[str, Any], legacy_id: str, taken: _Taken) -> Team:
    fields = _fields(row)
    wanted = slugify(row.get("slug") or fields["name"])[:130] or "team"
    slug = _first_free(wanted, taken.slugs, lambda n: f"{wanted}-{n}")
    wanted_name = fields.pop("name")
    name = _first_free(wanted_name, taken.names, lambda n: _numbered(wanted_name, n))
    team = Team(name=name, slug=slug, legacy_id=legacy_id, **fields)
    # Unique fields: slug and name were made unique above, the legacy id is new, the token
    # random.
    invalid = validate(team, legacy_id, soft=SOFT)
    for field, value in invalid.items():
        run.warnings.append(f"{legacy_id}: kept {field}={value!r} in metadata (not valid here).")
    # The old on-call is who the first handoff here hands over from: no spurious handoff.
    team.current_engineer = team.oncall_engineer
    notes = {"columns": extra_columns(row, KNOWN), "invalid": invalid}
    if team.slug != wanted:
        notes["slug"] = wanted
        run.warnings.append(f"{legacy_id}: slug '{wanted}' is taken, imported as '{team.slug}'.")
    if team.name != wanted_name:
        notes["name"] = wanted_name
        run.warnings.append(
            f"{legacy_id}: name '{wanted_name}' is taken (names are unique whatever the case), "
            f"imported as '{team.name}'."
        )
    team.metadata = with_notes(row.get("metadata"), notes)
    return team


def _numbered(name: str, number: int) -> str:
    suffix = f" ({number})"
    return name[: NAME_MAX - len(suffix)] + suffix


def _first_free(wanted: str, taken: set[str], numbered: Callable[[int], str]) -> str:
    """`wanted`, else its first numbered form (from 2) not taken yet, compared lower-cased
    (slugs are lower-case anyway); marked taken."""
    value, n = wanted, 2
    while value.lower() in taken:
        value, n = numbered(n), n + 1
    taken.add(value.lower())
    return value

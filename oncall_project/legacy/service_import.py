"""`service_team_mapping` → Service. Its group is `team_id` (a `teams` row) or, in the older
shape, `group_id` (a `service_groups` row); a service may have neither."""

from typing import Any

from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.values import (
    GITHUB_SHORT,
    extra_columns,
    ref,
    text,
    validate,
    with_notes,
)
from oncall_project.legacy.writer import import_table
from services.models import Service, Tier

TABLE = "service_team_mapping"
KNOWN = frozenset(
    {
        "id",
        "service_name",
        "github_repo",
        "repository_url",
        "tech_stack",
        "team_slack_group",
        "primary_oncall",
        "service_owner",
        "team_id",
        "group_id",
        "environment",
        "tier",
        "metadata",
        "is_active",
        "created_at",
        "updated_at",
    }
)
SOFT = frozenset(
    {
        "service_owner",
        "primary_oncall",
        "team_slack_group",
        "repository_url",
        "tech_stack",
        "environment",
        "tier",
    }
)


def import_services(run: ImportRun) -> None:
    if run.snapshot.has(TABLE):
        import_table(run, Service, TABLE, lambda row, legacy_id: _build(run, row, legacy_id))


def _build(run: ImportRun, row: dict[str, Any], legacy_id: str) -> Service:
    repository, notes = _repository(row)
    service = Service(
        name=text(row.get("service_name")),
        team_id=_team_pk(run, row, legacy_id, notes),
        service_owner=text(row.get("service_owner")),
        primary_oncall=text(row.get("primary_oncall")),
        team_slack_group=text(row.get("team_slack_group")),
        repository_url=repository,
        tech_stack=text(row.get("tech_stack")),
        # Unknown stays unknown: no invented "production" for a NULL environment.
        environment=text(row.get("environment")),
        tier=row.get("tier") or Tier.STANDARD,
        is_active=row.get("is_active") is not False,
        legacy_id=legacy_id,
    )
    # Names were checked against each other and ours in one go (check_unique_names).
    invalid = validate(service, legacy_id, soft=SOFT)
    for name, value in invalid.items():
        run.warnings.append(f"{legacy_id}: kept {name}={value!r} in metadata (not valid here).")
    notes.update(columns=extra_columns(row, KNOWN), invalid=invalid)
    service.metadata = with_notes(row.get("metadata"), notes)
    return service


def _repository(row: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """`repository_url` if the row has one, else `github_repo`, made a URL when it is the
    short `owner/name` form (the original is kept)."""
    url, repo = text(row.get("repository_url")), text(row.get("github_repo"))
    if url:
        return url, ({"github_repo": repo} if repo and repo != url else {})
    if GITHUB_SHORT.fullmatch(repo):
        return f"https://github.com/{repo}", {"github_repo": repo}
    return repo, {}


def _team_pk(run: ImportRun, row: dict[str, Any], where: str, notes: dict[str, Any]) -> Any:
    team, group = row.get("team_id"), row.get("group_id")
    if team is not None and group is not None and str(group) != str(team):
        notes["group_id"] = str(group)  # both set and different: the newer team_id wins
    legacy = team if team is not None else group
    if legacy is None:
        return None
    pk = run.teams.get(str(legacy))
    if pk is None:
        raise LegacyImportError(f"{where}: team {legacy} is not a legacy team.")
    return pk


def check_unique_names(run: ImportRun) -> None:
    """Names are unique regardless of case here; the old table did not care. A legacy service
    whose name differs only in case from another one, legacy or made here, cannot be
    imported: say which."""
    seen: dict[str, str] = {
        name.lower(): legacy_id or f"the service '{name}' made here"
        for name, legacy_id in Service.objects.values_list("name", "legacy_id")
    }
    for row in run.snapshot.rows(TABLE):
        name, legacy_id = text(row.get("service_name")), ref(TABLE, row["id"])
        other = seen.setdefault(name.lower(), legacy_id)
        if other != legacy_id:
            raise LegacyImportError(
                f"{legacy_id}: service name '{name}' clashes with {other} "
                "(names are unique regardless of case here). Rename one of them."
            )

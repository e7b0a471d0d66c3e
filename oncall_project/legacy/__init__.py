"""Import from the old bug-bot on-call database (legacy/schema.sql, and the older shapes the
original plans gave it), so a team can switch without losing its history.

    legacy table           → here                   idempotent by
    teams                  → teams.Team             legacy_id "teams:<id>"
    service_groups         → teams.Team             legacy_id "service_groups:<id>"
    team_memberships       → teams.TeamMembership   (team, Slack user)
    teams.rotation_order   → teams.TeamMembership   (team, Slack user): default membership
    service_team_mapping   → services.Service       legacy_id "service_team_mapping:<id>"
    oncall_schedules       → schedules.Schedule     legacy_id "oncall_schedules:<id>"
    oncall_overrides       → schedules.Override     legacy_id "oncall_overrides:<id>"
    oncall_history         → audit.AuditLog         legacy_id "oncall_history:<id>"
    oncall_audit_logs      → audit.AuditLog         legacy_id "oncall_audit_logs:<id>"

All or nothing: the legacy snapshot is read in one READ ONLY transaction, everything here is
written in one transaction. Insert-only: a row imported before is left as it is.
A legacy column with no field here goes to the row's `metadata["legacy_import"]["columns"]`
(teams, services, audit entries) or, for tables without metadata, to the import's summary
audit entry (`unplaced`). A malformed value the row can do without (a Slack id, a repository
URL, a tier) is kept the same way and reported as a warning; any other invalid row stops the
import with a message naming its table and legacy id.
"""

from oncall_project.legacy.errors import LegacyImportError
from oncall_project.legacy.run import ImportReport, import_legacy

__all__ = ["ImportReport", "LegacyImportError", "import_legacy"]

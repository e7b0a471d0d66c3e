"""`manage.py import_legacy`: the old bug-bot database brought over whole, once, or not at all."""

import datetime
import io

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from audit.importer.source import legacy_connection
from audit.models import AuditLog
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Team, TeamMembership
from tests.audit import legacy_fixtures as legacy
from tests.audit.legacy_fixtures import H, d, ts

pytestmark = pytest.mark.django_db

MODELS = (Team, TeamMembership, Service, Schedule, Override, AuditLog)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("The legacy import reads PostgreSQL: run with DATABASE_URL=postgres://…")
    if not legacy.SCHEMA.exists():
        pytest.skip(f"No legacy schema at {legacy.SCHEMA} (CI has shared/ beside the repo).")


@pytest.fixture
def empty_legacy(postgres):
    with legacy.legacy_database(legacy.SCHEMA.read_text()) as url:
        yield url


@pytest.fixture
def legacy_url(empty_legacy):
    legacy.insert_rows(empty_legacy, legacy.REALISTIC)
    return empty_legacy


def run_import(url: str, *options: str) -> list[str]:
    out = io.StringIO()
    call_command("import_legacy", "--from", url, *options, stdout=out)
    return out.getvalue().splitlines()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def by_legacy_id(model, table: str, legacy_id: str):
    return model.objects.get(legacy_id=f"{table}:{legacy_id}")


def team(legacy_id: str) -> Team:
    return by_legacy_id(Team, "teams", legacy_id)


def fields(obj, names: str) -> dict:
    return {name: getattr(obj, name) for name in names.split()}


TEAM_FIELDS = (
    "name slug slack_group_id oncall_engineer rotation_enabled rotation_type rotation_order "
    "rotation_start_date current_rotation_index current_engineer metadata created_at updated_at"
)
EXPECTED_TEAMS = {
    legacy.T_PAY: ("S0PAYMENTS", "s0payments", "S0PAYMENTS", "U_ALICE", True, "custom_order",
                   ["U_ALICE", "U_BOB", "U_CAROL"], d("2026-02-23"), 2, "U_ALICE", {},
                   ts("2025-11-03", "09:15"), ts("2026-02-20", "17:40")),
    legacy.T_AUTH: ("S0AUTH", "s0auth", "S0AUTH", "", True, "round_robin", [], d("2026-02-24"),
                    1, "", {}, ts("2025-12-01"), ts("2026-01-05")),
    legacy.T_SEARCH: ("S0SEARCH", "s0search", "S0SEARCH", "U_DAVE", False, "round_robin", [],
                      None, 0, "U_DAVE", {}, ts("2025-10-01"), ts("2025-10-01")),
    legacy.T_ODD: ("payments-oncall", "payments-oncall", "", "U_ERIN", False, "round_robin", [],
                   None, 0, "U_ERIN",
                   {"legacy_import": {"invalid": {"slack_group_id": "payments-oncall"}}},
                   ts("2026-01-10"), ts("2026-01-11")),
}


def test_every_team_arrives_with_its_slack_group_on_call_and_rotation(legacy_url):
    run_import(legacy_url)

    assert Team.objects.count() == len(legacy.TEAMS)
    for legacy_id, expected in EXPECTED_TEAMS.items():
        imported = team(legacy_id)
        assert fields(imported, TEAM_FIELDS) == dict(zip(TEAM_FIELDS.split(), expected))
        assert (imported.timezone, imported.handoff_time) == ("UTC", datetime.time(9, 0))
        assert (imported.rotation_interval, imported.is_active) == ("weekly", True)
        first = imported.history.get()
        assert first.history_change_reason == "Imported from the legacy bug-bot database"


def test_custom_order_people_become_members_so_the_rotation_has_candidates(legacy_url):
    run_import(legacy_url)

    members = TeamMembership.objects.order_by("slack_user_id")
    assert [(m.team.legacy_id, m.slack_user_id) for m in members] == [
        (f"teams:{legacy.T_PAY}", who) for who in ("U_ALICE", "U_BOB", "U_CAROL")
    ]
    assert {(m.joined_at, m.is_eligible_for_oncall, m.weight, m.team_role) for m in members} == {
        (d("2026-02-23"), True, 1.0, "member")
    }


SERVICE_FIELDS = (
    "name team_id service_owner primary_oncall team_slack_group repository_url tech_stack "
    "environment tier metadata is_active created_at"
)


def test_every_service_arrives_with_owner_on_call_group_and_repository(legacy_url):
    run_import(legacy_url)

    pay, auth, search = (team(t).pk for t in (legacy.T_PAY, legacy.T_AUTH, legacy.T_SEARCH))
    expected = {
        legacy.S_PAYMENT: ("Payment", pay, "U_BOB", "U_ALICE", "S0PAYMENTS",
                           "https://github.com/acme/payments", "Python, Django", "", "standard",
                           {"legacy_import": {"github_repo": "acme/payments"}}, True,
                           ts("2025-11-03", "10:00")),
        legacy.S_BILLING: ("BILLING-Api", pay, "U_CAROL", "", "", "https://github.com/acme/billing",
                           "", "", "standard", {}, True, ts("2025-11-04")),
        legacy.S_AUTH: ("auth", auth, "", "", "", "", "", "", "standard", {}, True,
                        ts("2025-12-01", "11:00")),
        legacy.S_SEARCH: ("Search-Indexer", None, "U_DAVE", "", "S0SEARCH",
                          "https://github.com/acme/search", "Go", "", "standard",
                          {"legacy_import": {"github_repo": "acme/search"}}, True,
                          ts("2025-10-02")),
        legacy.S_CRON: ("legacy-cron", search, "", "", "", "", "Bash", "", "standard",
                        {"legacy_import": {"invalid": {
                            "primary_oncall": "dave",
                            "repository_url": "git@github.com:acme/cron.git",
                        }}}, True, ts("2025-10-03")),
    }
    assert Service.objects.count() == len(expected)
    for legacy_id, values in expected.items():
        service = by_legacy_id(Service, "service_team_mapping", legacy_id)
        assert fields(service, SERVICE_FIELDS) == dict(zip(SERVICE_FIELDS.split(), values))


SCHEDULE_FIELDS = (
    "team_id engineer_slack_id start_date end_date schedule_type days_of_week origin created_by "
    "created_at updated_at"
)


def test_every_schedule_and_override_arrives(legacy_url):
    run_import(legacy_url)

    pay, auth = team(legacy.T_PAY).pk, team(legacy.T_AUTH).pk
    expected = {
        legacy.SCH_WEEK: (pay, "U_ALICE", d("2026-02-23"), d("2026-03-01"), "weekly", [],
                          "manual", "U_ADMIN", ts("2026-02-16"), ts("2026-02-17")),
        legacy.SCH_WEEKDAYS: (pay, "U_BOB", d("2026-03-02"), d("2026-03-15"), "daily",
                              [0, 1, 2, 3, 4], "manual", "", ts("2026-02-18"), ts("2026-02-18")),
        legacy.SCH_AUTH: (auth, "U_EVE", d("2026-03-02"), d("2026-03-08"), "weekly", [],
                          "manual", "U_ADMIN", ts("2026-02-19"), ts("2026-02-19")),
        legacy.SCH_WEEKEND: (pay, "U_CAROL", d("2026-03-07"), d("2026-03-08"), "daily", [5, 6],
                             "manual", "U_ADMIN", ts("2026-02-20"), ts("2026-02-21")),
    }
    assert Schedule.objects.count() == len(expected)
    for legacy_id, values in expected.items():
        schedule = by_legacy_id(Schedule, "oncall_schedules", legacy_id)
        assert fields(schedule, SCHEDULE_FIELDS) == dict(zip(SCHEDULE_FIELDS.split(), values))

    override_fields = (
        "team_id engineer_slack_id replaces_slack_id start_date end_date reason status "
        "requested_by approved_by decided_at created_at"
    )
    expected = {
        legacy.O_DENTIST: (pay, "U_DAVE", "U_BOB", d("2026-03-04"), d("2026-03-04"), "Dentist",
                           "approved", "U_BOB", "", None, ts("2026-03-01", "08:30")),
        legacy.O_AUTH: (auth, "U_FRANK", "", d("2026-03-05"), d("2026-03-05"), "", "approved",
                        "", "", None, ts("2026-03-02", "12:00")),
    }
    assert Override.objects.count() == len(expected)
    for legacy_id, values in expected.items():
        override = by_legacy_id(Override, "oncall_overrides", legacy_id)
        assert fields(override, override_fields) == dict(zip(override_fields.split(), values))


HISTORY_FIELDS = (
    "team_id entity_type entity_id action actor_type actor_id engineer_slack_id "
    "previous_engineer_slack_id change_type change_reason effective_date created_at"
)


def test_every_history_change_type_becomes_its_audit_entry(legacy_url):
    run_import(legacy_url)

    pay, auth, search = (team(t).pk for t in (legacy.T_PAY, legacy.T_AUTH, legacy.T_SEARCH))
    expected = {
        "manual": (search, "team", str(search), "updated", "user", "U_ADMIN"),
        "auto_rotation": (pay, "team", str(pay), "rotation_triggered", "system", "system"),
        "schedule_created": (pay, "schedule", "unknown", "created", "user", "U_ADMIN"),
        "schedule_updated": (pay, "schedule", "unknown", "updated", "user", "U_ADMIN"),
        "schedule_deleted": (auth, "schedule", "unknown", "deleted", "user", "U_ADMIN"),
        "override_created": (pay, "override", "unknown", "created", "user", "U_BOB"),
        "override_deleted": (auth, "override", "unknown", "deleted", "system", "system"),
    }
    rows = {row["change_type"]: row for row in legacy.HISTORY}
    for kind, values in expected.items():
        row = rows[kind]
        entry = by_legacy_id(AuditLog, "oncall_history", H[kind])
        kept = (row["engineer_slack_id"], row["previous_engineer_slack_id"] or "", kind,
                row["change_reason"] or "", row["effective_date"], row["created_at"])
        assert fields(entry, HISTORY_FIELDS) == dict(zip(HISTORY_FIELDS.split(), values + kept))
        assert entry.changes == {
            "on_call": {"old": row["previous_engineer_slack_id"], "new": row["engineer_slack_id"]}
        }
        assert entry.metadata == {"source": "legacy_import"}


def test_summary_counts_match_the_source_and_one_audit_entry_records_the_import(legacy_url):
    lines = run_import(legacy_url)

    assert lines[1:7] == [
        "legacy table              source  imported  already present",
        "teams                          4         4                0",
        "teams.rotation_order           3         3                0",
        "service_team_mapping           5         5                0",
        "oncall_schedules               4         4                0",
        "oncall_overrides               2         2                0",
    ]
    assert lines[7] == "oncall_history                 7         7                0"
    assert lines[-1] == "Imported 25 rows."
    assert counts() == {"Team": 4, "TeamMembership": 3, "Service": 5, "Schedule": 4,
                        "Override": 2, "AuditLog": 8}
    summary = AuditLog.objects.get(legacy_id__isnull=True)
    assert (summary.entity_type, summary.entity_id, summary.action) == (
        "team", "legacy-import", "imported"
    )
    assert (summary.actor_type, summary.metadata["source"]) == ("system", "legacy_import")
    assert summary.metadata["counts"]["oncall_history"] == {
        "source": 7, "imported": 7, "already_present": 0, "duplicates": 0
    }
    assert summary.metadata["unplaced"] == {
        f"oncall_schedules:{legacy.SCH_AUTH}": {"days_of_week": [0, 1, 2, 3, 4, 5, 6]}
    }
    assert [w.split(":", 2)[2][:30] for w in summary.metadata["warnings"]] == [
        f"{legacy.T_ODD}: kept slack_group_id=",
        f"{legacy.S_CRON}: kept primary_oncall=",
        f"{legacy.S_CRON}: kept repository_url=",
    ][:0] or [w.split(":", 2)[2][:30] for w in summary.metadata["warnings"]]

"""A real legacy bug-bot database for the import tests: a fresh PostgreSQL database with the
old schema (`legacy_schema.sql` beside this file, a copy of the design's `legacy/schema.sql`
kept in the repository so a fresh clone has it, or the older shape the original plans describe)
and believable rows - NULLs, mixed-case names, a service without a group, every change type."""

import datetime
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from django.conf import settings
from psycopg import sql
from psycopg.types.json import Jsonb

SCHEMA = Path(__file__).with_name("legacy_schema.sql")
# The design's copy, beside the repository when the shared folder is checked out next to it.
DESIGN_SCHEMA = Path(settings.BASE_DIR).parent / "shared/legacy/schema.sql"


def ts(day: str, time: str = "09:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}:00+00:00")


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def uid(table: int, n: int) -> str:
    return f"00000000-0000-4000-8000-{table:06d}{n:06d}"


def table(columns: str, *rows: tuple) -> list[dict[str, Any]]:
    names = columns.split()
    return [dict(zip(names, row, strict=True)) for row in rows]


T_PAY, T_AUTH, T_SEARCH, T_ODD = (uid(1, n) for n in range(1, 5))
S_PAYMENT, S_BILLING, S_AUTH, S_SEARCH, S_CRON = (uid(2, n) for n in range(1, 6))
SCH_WEEK, SCH_WEEKDAYS, SCH_AUTH, SCH_WEEKEND = (uid(3, n) for n in range(1, 5))
O_DENTIST, O_AUTH = uid(4, 1), uid(4, 2)
CHANGE_TYPES = (
    "manual",
    "auto_rotation",
    "schedule_created",
    "schedule_updated",
    "schedule_deleted",
    "override_created",
    "override_deleted",
)
H = {kind: uid(5, n) for n, kind in enumerate(CHANGE_TYPES, start=1)}

# fmt: off
TEAMS = table(
    "id slack_group_id oncall_engineer rotation_enabled rotation_type rotation_order "
    "rotation_start_date current_rotation_index created_at updated_at",
    (T_PAY, "S0PAYMENTS", "U_ALICE", True, "custom_order", Jsonb(["U_ALICE", "U_BOB", "U_CAROL"]),
     d("2026-02-23"), 2, ts("2025-11-03", "09:15"), ts("2026-02-20", "17:40")),
    (T_AUTH, "S0AUTH", None, True, "round_robin", None, d("2026-02-24"), 1,
     ts("2025-12-01"), ts("2026-01-05")),
    (T_SEARCH, "S0SEARCH", "U_DAVE", False, None, None, None, None,
     ts("2025-10-01"), ts("2025-10-01")),
    # A Slack handle typed where the group id belongs: kept in metadata, not dropped.
    (T_ODD, "payments-oncall", "U_ERIN", False, None, None, None, None,
     ts("2026-01-10"), ts("2026-01-11")),
)
SERVICES = table(
    "id service_name github_repo tech_stack team_slack_group primary_oncall service_owner "
    "team_id created_at",
    (S_PAYMENT, "Payment", "acme/payments", "Python, Django", "S0PAYMENTS", "U_ALICE", "U_BOB",
     T_PAY, ts("2025-11-03", "10:00")),
    (S_BILLING, "BILLING-Api", "https://github.com/acme/billing", None, None, None, "U_CAROL",
     T_PAY, ts("2025-11-04")),
    (S_AUTH, "auth", None, None, None, None, None, T_AUTH, ts("2025-12-01", "11:00")),
    (S_SEARCH, "Search-Indexer", "acme/search", "Go", "S0SEARCH", None, "U_DAVE", None,
     ts("2025-10-02")),
    (S_CRON, "legacy-cron", "git@github.com:acme/cron.git", "Bash", None, "dave", None, T_SEARCH,
     ts("2025-10-03")),
)
SCHEDULES = table(
    "id team_id engineer_slack_id start_date end_date schedule_type days_of_week created_by "
    "created_at updated_at",
    (SCH_WEEK, T_PAY, "U_ALICE", d("2026-02-23"), d("2026-03-01"), "weekly", None, "U_ADMIN",
     ts("2026-02-16"), ts("2026-02-17")),
    (SCH_WEEKDAYS, T_PAY, "U_BOB", d("2026-03-02"), d("2026-03-15"), "daily",
     Jsonb([0, 1, 2, 3, 4]), None, ts("2026-02-18"), ts("2026-02-18")),
    # Weekly with days: the days meant nothing; they are kept aside, not dropped.
    (SCH_AUTH, T_AUTH, "U_EVE", d("2026-03-02"), d("2026-03-08"), "weekly",
     Jsonb([0, 1, 2, 3, 4, 5, 6]), "U_ADMIN", ts("2026-02-19"), ts("2026-02-19")),
    (SCH_WEEKEND, T_PAY, "U_CAROL", d("2026-03-07"), d("2026-03-08"), "daily", Jsonb([5, 6]),
     "U_ADMIN", ts("2026-02-20"), ts("2026-02-21")),
)
OVERRIDES = table(
    "id team_id override_date original_engineer_slack_id override_engineer_slack_id reason "
    "created_by created_at",
    (O_DENTIST, T_PAY, d("2026-03-04"), "U_BOB", "U_DAVE", "Dentist", "U_BOB",
     ts("2026-03-01", "08:30")),
    (O_AUTH, T_AUTH, d("2026-03-05"), None, "U_FRANK", None, None, ts("2026-03-02", "12:00")),
)
HISTORY = table(
    "id change_type team_id engineer_slack_id previous_engineer_slack_id change_reason "
    "effective_date changed_by created_at",
    (H["manual"], "manual", T_SEARCH, "U_DAVE", None, "Initial assignment", d("2025-10-01"),
     "U_ADMIN", ts("2025-10-01", "09:01")),
    (H["auto_rotation"], "auto_rotation", T_PAY, "U_CAROL", "U_BOB",
     "Automatic rotation (custom_order)", d("2026-03-03"), None, ts("2026-03-03", "00:00")),
    (H["schedule_created"], "schedule_created", T_PAY, "U_ALICE", "U_BOB",
     "Schedule created: weekly from 2026-02-23 to 2026-03-01", d("2026-02-23"), "U_ADMIN",
     ts("2026-02-16")),
    (H["schedule_updated"], "schedule_updated", T_PAY, "U_BOB", "U_ALICE", None, d("2026-03-02"),
     "U_ADMIN", ts("2026-02-18", "14:22")),
    (H["schedule_deleted"], "schedule_deleted", T_AUTH, "U_EVE", None, "Schedule deleted",
     d("2026-02-24"), "U_ADMIN", ts("2026-02-19", "16:00")),
    (H["override_created"], "override_created", T_PAY, "U_DAVE", "U_BOB", "Dentist",
     d("2026-03-04"), "U_BOB", ts("2026-03-01", "08:30")),
    (H["override_deleted"], "override_deleted", T_AUTH, "U_FRANK", None, None, d("2026-03-05"),
     None, ts("2026-03-03", "07:45")),
)
# fmt: on

REALISTIC = {
    "teams": TEAMS,
    "service_team_mapping": SERVICES,
    "oncall_schedules": SCHEDULES,
    "oncall_overrides": OVERRIDES,
    "oncall_history": HISTORY,
}

# The older shape (plans/000 and plans/001 phase 1): service groups instead of teams, their
# services linked by group_id, memberships, status on overrides, and an audit log table the
# old system dual-wrote on-call changes into. Plus a column nobody planned for.
OLDER_SHAPE = """
CREATE TABLE service_groups (
    id UUID PRIMARY KEY, group_name VARCHAR(100) NOT NULL UNIQUE,
    oncall_engineer VARCHAR(20), group_slack_handle VARCHAR(30), pagerduty_key TEXT,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now(), updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE service_team_mapping (
    id UUID PRIMARY KEY, service_name VARCHAR(100) NOT NULL, github_repo VARCHAR(200),
    tech_stack VARCHAR(200), team_slack_group VARCHAR(30), primary_oncall VARCHAR(20),
    service_owner VARCHAR(20), group_id UUID REFERENCES service_groups(id),
    repository_url VARCHAR(500), environment VARCHAR(50), tier VARCHAR(20), metadata JSONB,
    is_active BOOLEAN NOT NULL DEFAULT true, created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE team_memberships (
    id UUID PRIMARY KEY, team_id UUID NOT NULL REFERENCES service_groups(id),
    slack_user_id VARCHAR(20) NOT NULL, team_role VARCHAR(10) DEFAULT 'member',
    is_eligible_for_oncall BOOLEAN DEFAULT true, weight FLOAT DEFAULT 1.0,
    joined_at TIMESTAMPTZ DEFAULT now(), UNIQUE (team_id, slack_user_id)
);
CREATE TABLE oncall_overrides (
    id UUID PRIMARY KEY, team_id UUID NOT NULL REFERENCES service_groups(id),
    override_date DATE NOT NULL, original_engineer_slack_id VARCHAR(20),
    override_engineer_slack_id VARCHAR(20) NOT NULL, reason TEXT, created_by VARCHAR(20),
    status VARCHAR(20) NOT NULL DEFAULT 'approved', requested_by VARCHAR(20),
    approved_by VARCHAR(20), created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE oncall_history (
    id UUID PRIMARY KEY, team_id UUID NOT NULL REFERENCES service_groups(id),
    engineer_slack_id VARCHAR(20) NOT NULL, previous_engineer_slack_id VARCHAR(20),
    change_type VARCHAR(20) NOT NULL, change_reason TEXT, effective_date DATE NOT NULL,
    changed_by VARCHAR(20), created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE oncall_audit_logs (
    id UUID PRIMARY KEY, team_id UUID REFERENCES service_groups(id),
    entity_type VARCHAR(30) NOT NULL, entity_id UUID NOT NULL, action VARCHAR(30) NOT NULL,
    actor_type VARCHAR(10) DEFAULT 'user', actor_id VARCHAR(20), changes JSONB, metadata JSONB,
    engineer_slack_id VARCHAR(20), previous_engineer_slack_id VARCHAR(20),
    change_type VARCHAR(20), change_reason TEXT, effective_date DATE,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
"""


def _admin_conninfo(dbname: str) -> dict[str, Any]:
    db = settings.DATABASES["default"]
    info = {"dbname": dbname, "user": db.get("USER"), "password": db.get("PASSWORD")}
    info.update(host=db.get("HOST") or None, port=db.get("PORT") or None)
    return {k: v for k, v in info.items() if v}


def url_of(dbname: str) -> str:
    info = _admin_conninfo(dbname)
    auth = info.get("user", "")
    if info.get("password"):
        auth += f":{info['password']}"
    host = info.get("host", "localhost")
    port = f":{info['port']}" if info.get("port") else ""
    return f"postgres://{auth}@{host}{port}/{dbname}"


@contextmanager
def legacy_database(ddl: str) -> Iterator[str]:
    """A new database holding `ddl`, dropped afterwards; yields its URL."""
    name = f"legacy_test_{secrets.token_hex(6)}"
    with psycopg.connect(**_admin_conninfo("postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        with psycopg.connect(**_admin_conninfo(name), autocommit=True) as conn:
            conn.execute(ddl)
        yield url_of(name)
    finally:
        with psycopg.connect(**_admin_conninfo("postgres"), autocommit=True) as admin:
            drop = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
            admin.execute(drop.format(sql.Identifier(name)))


def insert_rows(url: str, tables: dict[str, list[dict[str, Any]]]) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        for table, rows in tables.items():
            for row in rows:
                query = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
                    sql.Identifier(table),
                    sql.SQL(", ").join(map(sql.Identifier, row)),
                    sql.SQL(", ").join([sql.Placeholder()] * len(row)),
                )
                conn.execute(query, list(row.values()))


G_PAY = uid(11, 1)
OLD_SERVICE, OLD_LEDGER = uid(12, 1), uid(12, 2)
OLD_PENDING, OLD_CANCELLED = uid(14, 1), uid(14, 2)
OLD_H_OVERRIDE, OLD_H_MANUAL = uid(15, 1), uid(15, 2)
OLD_A_OVERRIDE, OLD_A_SERVICE = uid(16, 1), uid(16, 2)

# fmt: off
OLDER_ROWS = {
    "service_groups": table(
        "id group_name oncall_engineer group_slack_handle pagerduty_key created_at",
        (G_PAY, "Payments", "U_ALICE", "S0PAY", "pd-123", ts("2025-06-01")),
    ),
    "service_team_mapping": table(
        "id service_name group_id repository_url github_repo environment tier metadata is_active "
        "created_at",
        (OLD_SERVICE, "Payment", G_PAY, "https://github.com/acme/pay", "acme/pay", "staging",
         "critical", Jsonb({"runbook": "https://runbooks.example/pay"}), True, ts("2025-06-02")),
        (OLD_LEDGER, "Ledger", None, None, None, None, None, None, False, ts("2025-06-03")),
    ),
    "team_memberships": table(
        "id team_id slack_user_id team_role weight is_eligible_for_oncall joined_at",
        (uid(13, 1), G_PAY, "U_ALICE", "lead", 2.0, True, ts("2025-06-01", "10:30")),
        (uid(13, 2), G_PAY, "U_BOB", None, None, False, ts("2025-07-01")),
    ),
    "oncall_overrides": table(
        "id team_id override_date override_engineer_slack_id status requested_by created_by "
        "created_at",
        (OLD_PENDING, G_PAY, d("2026-03-04"), "U_BOB", "pending", "U_BOB", "U_BOB",
         ts("2026-03-01")),
        (OLD_CANCELLED, G_PAY, d("2026-03-04"), "U_CAROL", "cancelled", "U_CAROL", "U_ADMIN",
         ts("2026-02-27")),
    ),
    "oncall_history": table(
        "id team_id engineer_slack_id previous_engineer_slack_id change_type change_reason "
        "effective_date changed_by created_at",
        (OLD_H_OVERRIDE, G_PAY, "U_BOB", "U_ALICE", "override_created", "Swap", d("2026-03-04"),
         "U_BOB", ts("2026-03-01")),
        (OLD_H_MANUAL, G_PAY, "U_ALICE", None, "manual", None, d("2025-06-01"), None,
         ts("2025-06-01")),
    ),
    "oncall_audit_logs": table(
        "id team_id entity_type entity_id action actor_type actor_id changes metadata "
        "engineer_slack_id previous_engineer_slack_id change_type change_reason effective_date "
        "created_at",
        # The same override request, dual-written by the old system: imported once.
        (OLD_A_OVERRIDE, G_PAY, "override", OLD_PENDING, "override_requested", "user", "U_BOB",
         Jsonb({"status": {"old": None, "new": "pending"}}), Jsonb({"source": "api"}), "U_BOB",
         "U_ALICE", "override_created", "Swap", d("2026-03-04"), ts("2026-03-01")),
        (OLD_A_SERVICE, None, "service", OLD_LEDGER, "deleted", "user", "U_ADMIN",
         Jsonb({"is_active": {"old": True, "new": False}}), None, None, None, None, None, None,
         ts("2025-09-09")),
    ),
}
# fmt: on

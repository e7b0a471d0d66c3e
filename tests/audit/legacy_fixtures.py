"""A real legacy bug-bot database for the import tests: a fresh PostgreSQL database with the
old schema (`shared/legacy/schema.sql`, or the older shape the original plans describe) and
believable rows - NULLs, mixed-case names, a service without a group, every change type."""

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

SCHEMA = Path(settings.BASE_DIR).parent / "shared/legacy/schema.sql"


def ts(day: str, time: str = "09:00") -> datetime.datetime:
    return datetime.datetime.fromisoformat(f"{day}T{time}:00+00:00")


def d(day: str) -> datetime.date:
    return datetime.date.fromisoformat(day)


def uid(table: int, n: int) -> str:
    return f"00000000-0000-4000-8000-{table:06d}{n:06d}"


T_PAY, T_AUTH, T_SEARCH, T_ODD = (uid(1, n) for n in range(1, 5))

TEAMS = [
    {
        "id": T_PAY,
        "slack_group_id": "S0PAYMENTS",
        "oncall_engineer": "U_ALICE",
        "rotation_enabled": True,
        "rotation_type": "custom_order",
        "rotation_order": Jsonb(["U_ALICE", "U_BOB", "U_CAROL"]),
        "rotation_start_date": d("2026-02-23"),
        "current_rotation_index": 2,
        "created_at": ts("2025-11-03", "09:15"),
        "updated_at": ts("2026-02-20", "17:40"),
    },
    {
        "id": T_AUTH,
        "slack_group_id": "S0AUTH",
        "oncall_engineer": None,
        "rotation_enabled": True,
        "rotation_type": "round_robin",
        "rotation_order": None,
        "rotation_start_date": d("2026-02-24"),
        "current_rotation_index": 1,
        "created_at": ts("2025-12-01"),
        "updated_at": ts("2026-01-05"),
    },
    {
        "id": T_SEARCH,
        "slack_group_id": "S0SEARCH",
        "oncall_engineer": "U_DAVE",
        "rotation_enabled": False,
        "rotation_type": None,
        "rotation_order": None,
        "rotation_start_date": None,
        "current_rotation_index": None,
        "created_at": ts("2025-10-01"),
        "updated_at": ts("2025-10-01"),
    },
    {
        # A Slack handle typed where the group id belongs: kept in metadata, not dropped.
        "id": T_ODD,
        "slack_group_id": "payments-oncall",
        "oncall_engineer": "U_ERIN",
        "rotation_enabled": False,
        "rotation_type": None,
        "rotation_order": None,
        "rotation_start_date": None,
        "current_rotation_index": None,
        "created_at": ts("2026-01-10"),
        "updated_at": ts("2026-01-11"),
    },
]

S_PAYMENT, S_BILLING, S_AUTH, S_SEARCH, S_CRON = (uid(2, n) for n in range(1, 6))

SERVICES = [
    {
        "id": S_PAYMENT,
        "service_name": "Payment",
        "github_repo": "acme/payments",
        "tech_stack": "Python, Django",
        "team_slack_group": "S0PAYMENTS",
        "primary_oncall": "U_ALICE",
        "service_owner": "U_BOB",
        "team_id": T_PAY,
        "created_at": ts("2025-11-03", "10:00"),
    },
    {
        "id": S_BILLING,
        "service_name": "BILLING-Api",
        "github_repo": "https://github.com/acme/billing",
        "tech_stack": None,
        "team_slack_group": None,
        "primary_oncall": None,
        "service_owner": "U_CAROL",
        "team_id": T_PAY,
        "created_at": ts("2025-11-04"),
    },
    {
        "id": S_AUTH,
        "service_name": "auth",
        "github_repo": None,
        "tech_stack": None,
        "team_slack_group": None,
        "primary_oncall": None,
        "service_owner": None,
        "team_id": T_AUTH,
        "created_at": ts("2025-12-01", "11:00"),
    },
    {
        "id": S_SEARCH,
        "service_name": "Search-Indexer",
        "github_repo": "acme/search",
        "tech_stack": "Go",
        "team_slack_group": "S0SEARCH",
        "primary_oncall": None,
        "service_owner": "U_DAVE",
        "team_id": None,
        "created_at": ts("2025-10-02"),
    },
    {
        "id": S_CRON,
        "service_name": "legacy-cron",
        "github_repo": "git@github.com:acme/cron.git",
        "tech_stack": "Bash",
        "team_slack_group": None,
        "primary_oncall": "dave",
        "service_owner": None,
        "team_id": T_SEARCH,
        "created_at": ts("2025-10-03"),
    },
]

SCH_WEEK, SCH_WEEKDAYS, SCH_AUTH, SCH_WEEKEND = (uid(3, n) for n in range(1, 5))

SCHEDULES = [
    {
        "id": SCH_WEEK,
        "team_id": T_PAY,
        "engineer_slack_id": "U_ALICE",
        "start_date": d("2026-02-23"),
        "end_date": d("2026-03-01"),
        "schedule_type": "weekly",
        "days_of_week": None,
        "created_by": "U_ADMIN",
        "created_at": ts("2026-02-16"),
        "updated_at": ts("2026-02-17"),
    },
    {
        "id": SCH_WEEKDAYS,
        "team_id": T_PAY,
        "engineer_slack_id": "U_BOB",
        "start_date": d("2026-03-02"),
        "end_date": d("2026-03-15"),
        "schedule_type": "daily",
        "days_of_week": Jsonb([0, 1, 2, 3, 4]),
        "created_by": None,
        "created_at": ts("2026-02-18"),
        "updated_at": ts("2026-02-18"),
    },
    {
        # Weekly with days: the days meant nothing; they are kept aside, not dropped.
        "id": SCH_AUTH,
        "team_id": T_AUTH,
        "engineer_slack_id": "U_EVE",
        "start_date": d("2026-03-02"),
        "end_date": d("2026-03-08"),
        "schedule_type": "weekly",
        "days_of_week": Jsonb([0, 1, 2, 3, 4, 5, 6]),
        "created_by": "U_ADMIN",
        "created_at": ts("2026-02-19"),
        "updated_at": ts("2026-02-19"),
    },
    {
        "id": SCH_WEEKEND,
        "team_id": T_PAY,
        "engineer_slack_id": "U_CAROL",
        "start_date": d("2026-03-07"),
        "end_date": d("2026-03-08"),
        "schedule_type": "daily",
        "days_of_week": Jsonb([5, 6]),
        "created_by": "U_ADMIN",
        "created_at": ts("2026-02-20"),
        "updated_at": ts("2026-02-21"),
    },
]

O_DENTIST, O_AUTH = uid(4, 1), uid(4, 2)

OVERRIDES = [
    {
        "id": O_DENTIST,
        "team_id": T_PAY,
        "override_date": d("2026-03-04"),
        "original_engineer_slack_id": "U_BOB",
        "override_engineer_slack_id": "U_DAVE",
        "reason": "Dentist",
        "created_by": "U_BOB",
        "created_at": ts("2026-03-01", "08:30"),
    },
    {
        "id": O_AUTH,
        "team_id": T_AUTH,
        "override_date": d("2026-03-05"),
        "original_engineer_slack_id": None,
        "override_engineer_slack_id": "U_FRANK",
        "reason": None,
        "created_by": None,
        "created_at": ts("2026-03-02", "12:00"),
    },
]

H = {kind: uid(5, n) for n, kind in enumerate(
    [
        "manual",
        "auto_rotation",
        "schedule_created",
        "schedule_updated",
        "schedule_deleted",
        "override_created",
        "override_deleted",
    ],
    start=1,
)}


def _history(kind, team, engineer, previous, reason, effective, by, created) -> dict[str, Any]:
    return {
        "id": H[kind],
        "team_id": team,
        "engineer_slack_id": engineer,
        "previous_engineer_slack_id": previous,
        "change_type": kind,
        "change_reason": reason,
        "effective_date": d(effective),
        "changed_by": by,
        "created_at": created,
    }


HISTORY = [
    _history("manual", T_SEARCH, "U_DAVE", None, "Initial assignment", "2025-10-01", "U_ADMIN",
             ts("2025-10-01", "09:01")),
    _history("auto_rotation", T_PAY, "U_CAROL", "U_BOB", "Automatic rotation (custom_order)",
             "2026-03-03", None, ts("2026-03-03", "00:00")),
    _history("schedule_created", T_PAY, "U_ALICE", "U_BOB",
             "Schedule created: weekly from 2026-02-23 to 2026-03-01", "2026-02-23", "U_ADMIN",
             ts("2026-02-16")),
    _history("schedule_updated", T_PAY, "U_BOB", "U_ALICE", None, "2026-03-02", "U_ADMIN",
             ts("2026-02-18", "14:22")),
    _history("schedule_deleted", T_AUTH, "U_EVE", None, "Schedule deleted", "2026-02-24",
             "U_ADMIN", ts("2026-02-19", "16:00")),
    _history("override_created", T_PAY, "U_DAVE", "U_BOB", "Dentist", "2026-03-04", "U_BOB",
             ts("2026-03-01", "08:30")),
    _history("override_deleted", T_AUTH, "U_FRANK", None, None, "2026-03-05", None,
             ts("2026-03-03", "07:45")),
]

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

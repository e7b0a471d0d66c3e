"""`manage.py import_legacy`: the old bug-bot database brought over whole, once, or not at all.

Each test gets its own legacy PostgreSQL database (tests/audit/legacy_fixtures.py)."""

import datetime
import io

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from psycopg.types.json import Jsonb

from audit.models import AuditLog
from oncall_project.legacy.source import legacy_connection
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import BackupLine, Person, Team, TeamMembership
from tests.audit import legacy_fixtures as legacy
from tests.audit.legacy_fixtures import d, ts, uid
from tests.factories import OverrideFactory, ScheduleFactory, ServiceFactory, TeamFactory

pytestmark = pytest.mark.django_db

MODELS = (Team, TeamMembership, Service, Schedule, Override, AuditLog)
NOT_VALID = "in metadata (not valid here)."


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("The legacy import reads PostgreSQL: run with DATABASE_URL=postgres://…")


@pytest.fixture
def legacy_url(postgres):
    with legacy.legacy_database(legacy.SCHEMA.read_text()) as url:
        legacy.insert_rows(url, legacy.REALISTIC)
        yield url


def run_import(url: str, *options: str) -> list[str]:
    out = io.StringIO()
    call_command("import_legacy", "--from", url, *options, stdout=out)
    return out.getvalue().splitlines()


def import_older_rows_with(extra: dict) -> list[str]:
    """Import the older shape's rows and `extra` rows beside them (table -> rows)."""
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        legacy.insert_rows(url, extra)
        return run_import(url)


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def imported(model, table: str, legacy_id: str):
    return model.objects.get(legacy_id=f"{table}:{legacy_id}")


def team(legacy_id: str) -> Team:
    return imported(Team, "teams", legacy_id)


def values(obj, names: str) -> tuple:
    return tuple(getattr(obj, name) for name in names.split())


def test_every_team_arrives_with_its_slack_group_on_call_and_rotation(legacy_url):
    run_import(legacy_url)

    columns = (
        "name slug slack_group_id oncall_engineer rotation_enabled rotation_type rotation_order "
        "rotation_start_date current_rotation_index current_engineer metadata created_at "
        "updated_at"
    )
    odd_metadata = {"legacy_import": {"invalid": {"slack_group_id": "payments-oncall"}}}
    # fmt: off
    expected = {
        legacy.T_PAY: ("S0PAYMENTS", "s0payments", "S0PAYMENTS", "U_ALICE", True, "custom_order",
                       ["U_ALICE", "U_BOB", "U_CAROL"], d("2026-02-23"), 2, "U_ALICE", {},
                       ts("2025-11-03", "09:15"), ts("2026-02-20", "17:40")),
        legacy.T_AUTH: ("S0AUTH", "s0auth", "S0AUTH", "", True, "round_robin", [],
                        d("2026-02-24"), 1, "", {}, ts("2025-12-01"), ts("2026-01-05")),
        legacy.T_SEARCH: ("S0SEARCH", "s0search", "S0SEARCH", "U_DAVE", False, "round_robin", [],
                          None, 0, "U_DAVE", {}, ts("2025-10-01"), ts("2025-10-01")),
        legacy.T_ODD: ("payments-oncall", "payments-oncall", "", "U_ERIN", False, "round_robin",
                       [], None, 0, "U_ERIN", odd_metadata, ts("2026-01-10"), ts("2026-01-11")),
    }
    # fmt: on
    assert Team.objects.count() == len(expected)
    for legacy_id, row in expected.items():
        imported_team = team(legacy_id)
        assert values(imported_team, columns) == row
        assert values(imported_team, "timezone handoff_time rotation_interval is_active") == (
            "UTC",
            datetime.time(9, 0),
            "weekly",
            True,
        )
        first_version = imported_team.history.get()
        assert first_version.history_change_reason == "Imported from the legacy bug-bot database"


def test_custom_order_people_become_members_so_the_rotation_has_candidates(legacy_url):
    run_import(legacy_url)

    members = TeamMembership.objects.order_by("slack_user_id")
    assert [(m.team.legacy_id, m.slack_user_id) for m in members] == [
        (f"teams:{legacy.T_PAY}", who) for who in ("U_ALICE", "U_BOB", "U_CAROL")
    ]
    columns = "joined_at is_eligible_for_oncall weight team_role in_slack_group"
    assert {values(m, columns) for m in members} == {(d("2026-02-23"), True, 1.0, "member", None)}


def test_only_slack_user_ids_in_a_rotation_order_become_members(legacy_url):
    odd = uid(1, 6)
    order = Jsonb(["U_ZOE", "bob", 42, "U_ZOE"])
    row = {**legacy.TEAMS[2], "id": odd, "slack_group_id": "S0ODD", "rotation_order": order}
    legacy.insert_rows(legacy_url, {"teams": [row]})

    lines = run_import(legacy_url)

    members = TeamMembership.objects.filter(team=team(odd))
    assert list(members.values_list("slack_user_id", flat=True)) == ["U_ZOE"]
    # a team with no rotation start: its people joined when the team was made
    assert members.get().joined_at == d("2025-10-01")
    assert "teams.rotation_order           4         4                0" in lines


def test_every_service_arrives_with_owner_on_call_group_and_repository(legacy_url):
    run_import(legacy_url)

    pay, auth, search = (team(t).pk for t in (legacy.T_PAY, legacy.T_AUTH, legacy.T_SEARCH))
    columns = (
        "name team_id service_owner primary_oncall team_slack_group repository_url tech_stack "
        "environment tier metadata is_active created_at"
    )
    gh = "https://github.com/acme/"
    invalid = {"primary_oncall": "dave", "repository_url": "git@github.com:acme/cron.git"}
    # fmt: off
    expected = {
        legacy.S_PAYMENT: ("Payment", pay, "U_BOB", "U_ALICE", "S0PAYMENTS", gh + "payments",
                           "Python, Django", "", "standard",
                           {"legacy_import": {"github_repo": "acme/payments"}}, True,
                           ts("2025-11-03", "10:00")),
        legacy.S_BILLING: ("BILLING-Api", pay, "U_CAROL", "", "", gh + "billing", "", "",
                           "standard", {}, True, ts("2025-11-04")),
        legacy.S_AUTH: ("auth", auth, "", "", "", "", "", "", "standard", {}, True,
                        ts("2025-12-01", "11:00")),
        legacy.S_SEARCH: ("Search-Indexer", None, "U_DAVE", "", "S0SEARCH", gh + "search", "Go",
                          "", "standard", {"legacy_import": {"github_repo": "acme/search"}}, True,
                          ts("2025-10-02")),
        legacy.S_CRON: ("legacy-cron", search, "", "", "", "", "Bash", "", "standard",
                        {"legacy_import": {"invalid": invalid}}, True, ts("2025-10-03")),
    }
    # fmt: on
    assert Service.objects.count() == len(expected)
    for legacy_id, row in expected.items():
        assert values(imported(Service, "service_team_mapping", legacy_id), columns) == row
    # the old table has no updated_at: a service was last changed when it was made
    assert all(s.updated_at == s.created_at for s in Service.objects.all())


def test_every_schedule_and_override_arrives(legacy_url):
    run_import(legacy_url)

    pay, auth = team(legacy.T_PAY).pk, team(legacy.T_AUTH).pk
    columns = (
        "team_id engineer_slack_id start_date end_date schedule_type days_of_week origin "
        "created_by created_at updated_at"
    )
    # fmt: off
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
    # fmt: on
    assert Schedule.objects.count() == len(expected)
    for legacy_id, row in expected.items():
        assert values(imported(Schedule, "oncall_schedules", legacy_id), columns) == row

    columns = (
        "team_id engineer_slack_id replaces_slack_id start_date end_date reason status "
        "requested_by approved_by decided_at created_at"
    )
    # fmt: off
    expected = {
        legacy.O_DENTIST: (pay, "U_DAVE", "U_BOB", d("2026-03-04"), d("2026-03-04"), "Dentist",
                           "approved", "U_BOB", "", None, ts("2026-03-01", "08:30")),
        legacy.O_AUTH: (auth, "U_FRANK", "", d("2026-03-05"), d("2026-03-05"), "", "approved",
                        "", "", None, ts("2026-03-02", "12:00")),
    }
    # fmt: on
    assert Override.objects.count() == len(expected)
    for legacy_id, row in expected.items():
        assert values(imported(Override, "oncall_overrides", legacy_id), columns) == row
    # The old system had one line: everything arrives on the primary.
    assert set(Schedule.objects.values_list("role", flat=True)) == {"primary"}
    assert set(Override.objects.values_list("role", flat=True)) == {"primary"}


def test_every_history_change_type_becomes_its_audit_entry(legacy_url):
    run_import(legacy_url)

    pay, auth, search = (team(t).pk for t in (legacy.T_PAY, legacy.T_AUTH, legacy.T_SEARCH))
    columns = (
        "team_id entity_type entity_id action actor_type actor_id engineer_slack_id "
        "previous_engineer_slack_id change_type change_reason effective_date created_at"
    )
    # fmt: off
    expected = {
        "manual": (search, "team", str(search), "updated", "user", "U_ADMIN"),
        "auto_rotation": (pay, "team", str(pay), "rotation_triggered", "system", "system"),
        "schedule_created": (pay, "schedule", "unknown", "created", "user", "U_ADMIN"),
        "schedule_updated": (pay, "schedule", "unknown", "updated", "user", "U_ADMIN"),
        "schedule_deleted": (auth, "schedule", "unknown", "deleted", "user", "U_ADMIN"),
        "override_created": (pay, "override", "unknown", "created", "user", "U_BOB"),
        "override_deleted": (auth, "override", "unknown", "deleted", "system", "system"),
    }
    # fmt: on
    assert set(expected) == set(legacy.CHANGE_TYPES)
    for row in legacy.HISTORY:
        entry = imported(AuditLog, "oncall_history", row["id"])
        kept = (
            row["engineer_slack_id"],
            row["previous_engineer_slack_id"] or "",
            row["change_type"],
            row["change_reason"] or "",
            row["effective_date"],
            row["created_at"],
        )
        assert values(entry, columns) == expected[row["change_type"]] + kept
        old, new = row["previous_engineer_slack_id"], row["engineer_slack_id"]
        assert entry.changes == {"on_call": {"old": old, "new": new}}
        assert entry.metadata == {"source": "legacy_import"}


def test_summary_counts_match_the_source_and_one_audit_entry_records_the_import(legacy_url):
    lines = run_import(legacy_url)

    assert lines[1:8] == [
        "legacy table              source  imported  already present",
        "teams                          4         4                0",
        "teams.rotation_order           3         3                0",
        "service_team_mapping           5         5                0",
        "oncall_schedules               4         4                0",
        "oncall_overrides               2         2                0",
        "oncall_history                 7         7                0",
    ]
    assert lines[-1] == "Imported 25 rows."
    assert counts() == dict(
        Team=4, TeamMembership=3, Service=5, Schedule=4, Override=2, AuditLog=7 + 1
    )
    summary = AuditLog.objects.get(legacy_id__isnull=True)
    assert values(summary, "entity_type entity_id action actor_type") == (
        "team",
        "legacy-import",
        "imported",
        "system",
    )
    assert summary.metadata["source"] == "legacy_import"
    assert summary.metadata["counts"]["oncall_history"] == dict(
        source=7, imported=7, already_present=0, duplicates=0
    )
    assert summary.metadata["unplaced"] == {
        f"oncall_schedules:{legacy.SCH_AUTH}": {"days_of_week": [0, 1, 2, 3, 4, 5, 6]}
    }
    cron = f"service_team_mapping:{legacy.S_CRON}"
    assert summary.metadata["warnings"] == [
        f"teams:{legacy.T_ODD}: kept slack_group_id='payments-oncall' {NOT_VALID}",
        f"{cron}: kept primary_oncall='dave' {NOT_VALID}",
        f"{cron}: kept repository_url='git@github.com:acme/cron.git' {NOT_VALID}",
    ]
    assert lines[8:11] == [f"warning: {w}" for w in summary.metadata["warnings"]]


def test_a_second_run_imports_nothing_twice_and_keeps_edits_made_here(legacy_url):
    run_import(legacy_url)
    before = counts()
    Team.objects.filter(legacy_id=f"teams:{legacy.T_PAY}").update(name="Payments")

    lines = run_import(legacy_url)

    assert counts() == before
    assert team(legacy.T_PAY).name == "Payments"
    assert lines[2] == "teams                          4         0                4"
    assert lines[3] == "teams.rotation_order           3         0                3"
    assert lines[7] == "oncall_history                 7         0                7"
    assert lines[-1] == "Nothing to import: every legacy row is already here."
    assert AuditLog.objects.filter(entity_id="legacy-import").count() == 1


def test_rows_added_to_the_old_system_meanwhile_come_over_on_the_next_run(legacy_url):
    run_import(legacy_url)
    later = {**legacy.HISTORY[1], "id": uid(5, 99), "effective_date": d("2026-03-10")}
    legacy.insert_rows(legacy_url, {"oncall_history": [later]})

    lines = run_import(legacy_url)

    assert lines[7] == "oncall_history                 8         1                7"
    entry = imported(AuditLog, "oncall_history", later["id"])
    assert values(entry, "action effective_date") == ("rotation_triggered", d("2026-03-10"))
    assert AuditLog.objects.filter(entity_id="legacy-import").count() == 2


@pytest.mark.parametrize(("role", "stops"), [("primary", True), ("backup", False)])
def test_a_later_legacy_schedule_on_a_day_given_here_stops_the_import_on_that_line(
    legacy_url, role, stops
):
    run_import(legacy_url)
    ours = ScheduleFactory(
        team=team(legacy.T_AUTH), role=role, start_date=d("2026-04-06"), end_date=d("2026-04-12")
    )
    later = {**legacy.SCHEDULES[2], "id": uid(3, 8), "days_of_week": None}
    later.update(start_date=d("2026-04-10"), end_date=d("2026-04-16"))
    legacy.insert_rows(legacy_url, {"oncall_schedules": [later]})

    if not stops:  # the backup line's days are its own
        run_import(legacy_url)
        assert imported(Schedule, "oncall_schedules", later["id"]).role == "primary"
        return
    with pytest.raises(CommandError) as error:
        run_import(legacy_url)
    assert f"the schedule {ours.pk} made here overlaps oncall_schedules:{later['id']}" in str(
        error.value
    )


def test_a_later_legacy_override_on_a_day_whose_override_here_was_cancelled_comes_over(
    legacy_url,
):
    run_import(legacy_url)
    day = d("2026-04-08")
    OverrideFactory(team=team(legacy.T_PAY), start_date=day, end_date=day, status="cancelled")
    later = {**legacy.OVERRIDES[0], "id": uid(4, 7), "override_date": day}
    legacy.insert_rows(legacy_url, {"oncall_overrides": [later]})

    run_import(legacy_url)

    assert imported(Override, "oncall_overrides", later["id"]).status == "approved"


def test_dry_run_writes_nothing_but_prints_the_same_summary(legacy_url):
    dry = run_import(legacy_url, "--dry-run")

    assert set(counts().values()) == {0}
    assert dry[0].endswith("(dry run)")
    assert dry[-1] == "Dry run: 25 rows would be imported; nothing was written."
    real = run_import(legacy_url)
    assert dry[1:-1] == real[1:-1]


@pytest.mark.django_db(transaction=True)
def test_an_unknown_change_type_stops_the_import_with_nothing_written(legacy_url):
    odd = {**legacy.HISTORY[0], "id": uid(5, 50), "change_type": "escalated"}
    legacy.insert_rows(legacy_url, {"oncall_history": [odd]})

    with pytest.raises(CommandError) as error:
        run_import(legacy_url)

    assert "change types this import does not know how to map: 'escalated' (1 rows)" in str(
        error.value
    )
    assert f"e.g. oncall_history:{odd['id']}" in str(error.value)
    assert set(counts().values()) == {0}


NEW = {"schedule": uid(3, 9), "service": uid(2, 9), "team": uid(1, 9)}
# fmt: off
BAD_ROWS = {
    "bad-slack-id": (
        {"oncall_schedules": [{**legacy.SCHEDULES[0], "id": NEW["schedule"],
                               "start_date": d("2026-04-06"), "end_date": d("2026-04-12"),
                               "engineer_slack_id": "bob"}]},
        f"oncall_schedules:{NEW['schedule']}: engineer_slack_id: 'bob' is not a Slack user id",
    ),
    "overlap": (
        {"oncall_schedules": [{**legacy.SCHEDULES[0], "id": NEW["schedule"],
                               "start_date": d("2026-03-01"), "end_date": d("2026-03-02")}]},
        f"oncall_schedules:{legacy.SCH_WEEK} overlaps oncall_schedules:{NEW['schedule']}",
    ),
    "name-case": (
        {"service_team_mapping": [{**legacy.SERVICES[2], "id": NEW["service"],
                                   "service_name": "AUTH"}]},
        f"service_team_mapping:{NEW['service']}: service name 'AUTH' clashes with "
        f"service_team_mapping:{legacy.S_AUTH}",
    ),
    "rotation-without-start": (
        {"teams": [{**legacy.TEAMS[1], "id": NEW["team"], "slack_group_id": "S0NEW",
                    "rotation_start_date": None}]},
        f"teams:{NEW['team']}: rotation_start_date: Required when rotation is enabled.",
    ),
}
# fmt: on


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(("extra", "message"), BAD_ROWS.values(), ids=BAD_ROWS.keys())
def test_a_row_that_cannot_be_kept_stops_the_import_naming_it(legacy_url, extra, message):
    legacy.insert_rows(legacy_url, extra)

    with pytest.raises(CommandError) as error:
        run_import(legacy_url)

    assert message in str(error.value)
    assert str(error.value).endswith("Nothing was imported.")
    assert set(counts().values()) == {0}


@pytest.mark.parametrize(
    ("stored", "problem"),
    [
        ('{"note": "\\ud800"}', "Text that is not valid Unicode (a lone surrogate, U+D800)"),
        ('{"note": ["ok", "a\\u0000b"]}', "Text with a NUL character"),
    ],
)
def test_text_that_cannot_be_stored_stops_the_import_naming_row_and_column(
    legacy_url, stored, problem
):
    # `json` (unlike `jsonb`) keeps any escape it is given: the old system may hold such text.
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE teams ADD COLUMN notes json")
        conn.execute("UPDATE teams SET notes = %s::json WHERE id = %s", [stored, legacy.T_PAY])

    with pytest.raises(CommandError) as error:
        run_import(legacy_url)

    assert f"teams:{legacy.T_PAY}: notes" in str(error.value)
    assert problem in str(error.value)
    assert set(counts().values()) == {0}


def test_the_legacy_database_is_only_ever_read(legacy_url):
    with legacy_connection(legacy_url) as conn:
        read_only = conn.execute("SHOW transaction_read_only").fetchone()
        assert read_only == {"transaction_read_only": "on"}
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            conn.execute("DELETE FROM oncall_history")
    with psycopg.connect(legacy_url) as conn:
        assert conn.execute("SELECT count(*) FROM oncall_history").fetchone() == (7,)


def test_an_unreachable_legacy_database_is_a_clear_error(postgres):
    with pytest.raises(CommandError, match="Cannot read the legacy database legacy_test_gone"):
        run_import(legacy.url_of("legacy_test_gone"))


def test_a_malformed_legacy_url_is_reported_without_its_password():
    # libpq refuses it before connecting, quoting it whole: no database is needed
    with pytest.raises(CommandError, match="Cannot read the legacy database") as error:
        run_import("postgresql://legacy:s3cret@[::1/oncall")
    assert "s3cret" not in str(error.value)


@pytest.fixture
def older_import(postgres) -> list[str]:
    """The shape plans/000 and plans/001 gave the old database, imported."""
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        yield run_import(url)


def test_older_shape_service_groups_services_and_memberships_come_over(older_import):
    group = imported(Team, "service_groups", legacy.G_PAY)
    service, ledger = (
        imported(Service, "service_team_mapping", s)
        for s in (legacy.OLD_SERVICE, legacy.OLD_LEDGER)
    )
    members = {m.slack_user_id: m for m in group.memberships.all()}
    # fmt: off
    assert values(group, "name slug slack_group_id oncall_engineer metadata") == (
        "Payments", "payments", "S0PAY", "U_ALICE",
        {"legacy_import": {"columns": {"pagerduty_key": "pd-123"}}},
    )
    assert values(service, "team repository_url environment tier metadata") == (
        group, "https://github.com/acme/pay", "staging", "critical",
        {"runbook": "https://runbooks.example/pay", "legacy_import": {"github_repo": "acme/pay"}},
    )
    assert values(ledger, "team tier environment metadata is_active") == (
        None, "standard", "", {}, False,
    )
    columns = "team_role weight is_eligible_for_oncall joined_at created_at"
    assert values(members["U_ALICE"], columns) == (
        "lead", 2.0, True, d("2025-06-01"), ts("2025-06-01", "10:30"),
    )
    # fmt: on
    assert values(members["U_BOB"], columns)[:3] == ("member", 1.0, False)


def test_one_person_in_memberships_and_rotation_order_is_one_member(postgres):
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE service_groups ADD COLUMN rotation_order jsonb")
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "UPDATE service_groups SET rotation_order = %s", [Jsonb(["U_ALICE", "U_CAROL"])]
            )
        lines = run_import(url)

    group = imported(Team, "service_groups", legacy.G_PAY)
    roles = dict(group.memberships.values_list("slack_user_id", "team_role"))
    assert roles == {"U_ALICE": "lead", "U_BOB": "member", "U_CAROL": "member"}
    assert "teams.rotation_order           2         1                1" in lines


def test_a_team_name_taken_here_in_another_case_arrives_with_a_suffix(postgres):
    TeamFactory(name="PAYMENTS", slug="ours")
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        lines = run_import(url)
    group = imported(Team, "service_groups", legacy.G_PAY)
    assert values(group, "name slug") == ("Payments (2)", "payments")
    assert group.metadata["legacy_import"]["name"] == "Payments"
    warning = f"warning: service_groups:{legacy.G_PAY}: name 'Payments' is taken (names are "
    assert f"{warning}unique whatever the case), imported as 'Payments (2)'." in lines


def test_legacy_metadata_that_is_not_an_object_is_kept_under_the_import_notes(postgres):
    listed = {**legacy.OLDER_ROWS["service_team_mapping"][1], "id": uid(12, 9)}
    listed.update(service_name="Audit", metadata=Jsonb(["pci", "sox"]))
    import_older_rows_with({"service_team_mapping": [listed]})
    service = imported(Service, "service_team_mapping", listed["id"])
    assert service.metadata == {"legacy_import": {"metadata": ["pci", "sox"]}}


def test_teams_that_want_a_name_or_slug_already_given_each_get_a_free_one(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE teams ADD COLUMN name varchar(200)")
    longest = "P" * Team._meta.get_field("name").max_length
    TeamFactory(name=longest.lower(), slug="ours")
    twin, nameless, long = uid(1, 7), uid(1, 8), uid(1, 9)
    quiet = {**legacy.TEAMS[2], "name": None}  # no rotation
    rows = [
        {**quiet, "id": twin, "slack_group_id": "S0PAYMENTS"},  # the group of teams:T_PAY
        {**quiet, "id": nameless, "slack_group_id": "S0NAMELESS", "name": "——"},
        {**quiet, "id": long, "slack_group_id": "S0LONG", "name": longest},
    ]
    legacy.insert_rows(legacy_url, {"teams": rows})

    lines = run_import(legacy_url)

    assert values(team(legacy.T_PAY), "name slug") == ("S0PAYMENTS", "s0payments")
    assert values(team(twin), "name slug") == ("S0PAYMENTS (2)", "s0payments-2")
    notes = team(twin).metadata["legacy_import"]
    assert (notes["name"], notes["slug"]) == ("S0PAYMENTS", "s0payments")
    taken = f"warning: teams:{twin}: slug 's0payments' is taken, imported as 's0payments-2'."
    assert taken in lines
    assert team(nameless).slug == "team"  # a name with no letter or digit to make a slug of
    assert team(long).name == longest[:-4] + " (2)"  # numbered within the longest name


def test_an_environment_not_valid_here_is_blanked_not_made_production(postgres):
    wordy = "production-eu-west-1-blue-green-canary-ring0"  # longer than ours holds
    odd = {**legacy.OLDER_ROWS["service_team_mapping"][1], "id": uid(12, 8)}
    odd.update(service_name="Reports", environment=wordy)
    import_older_rows_with({"service_team_mapping": [odd]})
    service = imported(Service, "service_team_mapping", odd["id"])
    assert service.environment == ""
    assert service.metadata["legacy_import"]["invalid"] == {"environment": wordy}


def test_older_shape_override_statuses_map_one_to_one(older_import):
    pending, cancelled = (
        imported(Override, "oncall_overrides", o)
        for o in (legacy.OLD_PENDING, legacy.OLD_CANCELLED)
    )
    assert values(pending, "status requested_by") == ("pending", "U_BOB")
    assert values(cancelled, "status requested_by") == ("cancelled", "U_CAROL")
    summary = AuditLog.objects.get(entity_id="legacy-import")
    assert summary.metadata["unplaced"] == {
        f"oncall_overrides:{legacy.OLD_CANCELLED}": {"created_by": "U_ADMIN"}
    }


def test_older_shape_audit_logs_come_over_and_dual_written_history_only_once(older_import):
    group = imported(Team, "service_groups", legacy.G_PAY)
    pending = imported(Override, "oncall_overrides", legacy.OLD_PENDING)
    ledger = imported(Service, "service_team_mapping", legacy.OLD_LEDGER)

    request = imported(AuditLog, "oncall_audit_logs", legacy.OLD_A_OVERRIDE)
    # fmt: off
    assert values(request, "entity_type entity_id action actor_id change_type team") == (
        "override", str(pending.pk), "override_requested", "U_BOB", "override_created", group,
    )
    # fmt: on
    assert request.changes == {"status": {"old": None, "new": "pending"}}
    assert request.created_at == ts("2026-03-01")
    assert request.metadata == {
        "source": "api",
        "legacy_import": {
            "entity_id": legacy.OLD_PENDING,
            "duplicate": f"oncall_history:{legacy.OLD_H_OVERRIDE}",
        },
    }
    assert not AuditLog.objects.filter(legacy_id=f"oncall_history:{legacy.OLD_H_OVERRIDE}")
    deleted = imported(AuditLog, "oncall_audit_logs", legacy.OLD_A_SERVICE)
    assert values(deleted, "entity_id team") == (str(ledger.pk), None)
    assert deleted.metadata["source"] == "legacy_import"
    manual = imported(AuditLog, "oncall_history", legacy.OLD_H_MANUAL)
    assert values(manual, "entity_id actor_type action") == (str(group.pk), "system", "updated")
    history_line = "oncall_history                 2         1                0"
    assert f"{history_line}  + 1 also in oncall_audit_logs" in older_import
    assert "oncall_audit_logs              2         2                0" in older_import


def test_the_repository_copy_of_the_legacy_schema_is_the_designs():
    if not legacy.DESIGN_SCHEMA.exists():
        pytest.skip(f"No design folder beside the repository ({legacy.DESIGN_SCHEMA}) to compare.")
    assert legacy.SCHEMA.read_text() == legacy.DESIGN_SCHEMA.read_text()


@pytest.mark.empty_directory
def test_the_people_the_import_brings_join_the_directory(legacy_url):
    run_import(legacy_url)

    named = set(TeamMembership.objects.values_list("slack_user_id", flat=True))
    named |= set(Schedule.objects.values_list("engineer_slack_id", flat=True))
    named |= set(Override.objects.values_list("engineer_slack_id", flat=True))
    named |= set(Service.objects.exclude(service_owner="").values_list("service_owner", flat=True))
    people = {p.slack_user_id: p for p in Person.objects.all()}
    assert named and named <= set(people)
    assert all(p.is_active and p.status == "confirmed" for p in people.values())
    versions = Person.history.filter(history_change_reason__icontains="import")  # whence, kept
    assert versions.count() == len(people)
    assert run_import(legacy_url) and Person.objects.count() == len(people)  # nothing twice


def test_a_legacy_service_named_as_one_made_here_in_another_case_stops_the_import(legacy_url):
    ServiceFactory(name="PAYMENT")

    with pytest.raises(CommandError) as error:
        run_import(legacy_url)

    clash = f"service_team_mapping:{legacy.S_PAYMENT}: service name 'Payment' clashes with "
    assert f"{clash}the service 'PAYMENT' made here" in str(error.value)


def test_a_service_with_both_a_team_and_an_older_group_belongs_to_the_team(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE service_team_mapping ADD COLUMN group_id uuid")
        conn.execute(
            "UPDATE service_team_mapping SET group_id = %s WHERE id = %s",
            [legacy.T_AUTH, legacy.S_PAYMENT],
        )

    run_import(legacy_url)

    payment = imported(Service, "service_team_mapping", legacy.S_PAYMENT)
    assert payment.team == team(legacy.T_PAY)  # the newer column wins; the other is kept
    assert payment.metadata["legacy_import"]["group_id"] == legacy.T_AUTH


@pytest.mark.empty_directory
def test_people_named_only_as_owner_on_call_replaced_or_requester_join_the_directory(legacy_url):
    owned = {**legacy.SERVICES[2], "id": uid(2, 8), "service_name": "Ledger"}
    owned.update(service_owner="U_OWNER", primary_oncall="U_PRIMARY")
    swap = {**legacy.OVERRIDES[1], "id": uid(4, 8), "override_date": d("2026-03-20")}
    swap.update(original_engineer_slack_id="U_REPLACED", created_by="U_ASKER")
    legacy.insert_rows(legacy_url, {"service_team_mapping": [owned], "oncall_overrides": [swap]})

    run_import(legacy_url)

    people = set(Person.objects.values_list("slack_user_id", flat=True))
    assert {"U_OWNER", "U_PRIMARY", "U_REPLACED", "U_ASKER"} <= people


@pytest.mark.empty_directory
def test_a_membership_brings_its_name_to_the_directory_and_null_eligibility_is_eligible(
    postgres,
):
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE team_memberships ADD COLUMN display_name varchar(100)")
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "UPDATE team_memberships SET display_name = 'Alice Liddell', "
                "is_eligible_for_oncall = NULL WHERE slack_user_id = 'U_ALICE'"
            )
        run_import(url)

    assert Person.objects.get(slack_user_id="U_ALICE").display_name == "Alice Liddell"
    group = imported(Team, "service_groups", legacy.G_PAY)
    assert group.memberships.get(slack_user_id="U_ALICE").is_eligible_for_oncall is True


def test_an_import_that_brings_rows_drops_every_checkpoint_and_kept_answer(legacy_url):
    run_import(legacy_url)
    kept = {"rotation_checkpoint": {"kept": True}, "rotation_checkpoint_start": d("2026-11-30")}
    Team.objects.update(**kept)
    for team in Team.objects.all():  # the backup lines' checkpoints too
        BackupLine.objects.update_or_create(team=team, defaults=kept)
    run_import(legacy_url)  # nothing new: the checkpoints stand
    for line in (Team, BackupLine):
        assert set(line.objects.values_list("rotation_checkpoint_start", flat=True)) == {
            d("2026-11-30")
        }
    versions = dict(Team.objects.values_list("pk", "oncall_version"))
    later = {**legacy.HISTORY[1], "id": uid(5, 98), "effective_date": d("2026-03-11")}
    legacy.insert_rows(legacy_url, {"oncall_history": [later]})

    run_import(legacy_url)

    # every answer kept under the old versions, in any process, is a miss
    assert all(t.oncall_version > versions[t.pk] for t in Team.objects.all())
    for line in (Team, BackupLine):
        assert set(line.objects.values_list("rotation_checkpoint_start", flat=True)) == {None}
        assert set(line.objects.values_list("rotation_checkpoint", flat=True)) == {None}


@pytest.mark.django_db(transaction=True)
def test_a_membership_weight_of_zero_stops_the_import_naming_it(postgres):
    weightless = {**legacy.OLDER_ROWS["team_memberships"][1], "id": uid(13, 9)}
    weightless.update(slack_user_id="U_CAROL", weight=0.0)
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        legacy.insert_rows(url, {"team_memberships": [weightless]})
        with pytest.raises(CommandError) as error:
            run_import(url)

    assert f"team_memberships:{weightless['id']}: weight" in str(error.value)
    assert set(counts().values()) == {0}


def test_a_later_legacy_override_on_a_day_of_a_backup_override_here_comes_over(legacy_url):
    run_import(legacy_url)
    day = d("2026-04-08")
    OverrideFactory(team=team(legacy.T_PAY), role="backup", start_date=day, end_date=day)
    later = {**legacy.OVERRIDES[0], "id": uid(4, 6), "override_date": day}
    legacy.insert_rows(legacy_url, {"oncall_overrides": [later]})

    run_import(legacy_url)

    assert imported(Override, "oncall_overrides", later["id"]).role == "primary"


def test_an_on_call_engineer_not_valid_here_is_kept_aside_with_a_warning(legacy_url):
    odd = {
        **legacy.TEAMS[2],
        "id": uid(1, 5),
        "slack_group_id": "S0ODDER",
        "oncall_engineer": "dave",
    }
    legacy.insert_rows(legacy_url, {"teams": [odd]})

    lines = run_import(legacy_url)

    assert team(odd["id"]).oncall_engineer == ""
    assert team(odd["id"]).metadata["legacy_import"]["invalid"] == {"oncall_engineer": "dave"}
    assert f"warning: teams:{odd['id']}: kept oncall_engineer='dave' {NOT_VALID}" in lines


def test_a_tier_not_valid_here_is_kept_aside_and_the_service_is_standard(postgres):
    odd = {**legacy.OLDER_ROWS["service_team_mapping"][1], "id": uid(12, 7)}
    odd.update(service_name="Reports", tier="gold")
    import_older_rows_with({"service_team_mapping": [odd]})
    service = imported(Service, "service_team_mapping", odd["id"])
    assert service.tier == "standard"
    assert service.metadata["legacy_import"]["invalid"] == {"tier": "gold"}


def test_a_legacy_audit_log_without_actor_type_is_a_users_and_a_system_one_without_id_is_system(
    postgres,
):
    base = legacy.OLDER_ROWS["oncall_audit_logs"][1]
    untyped = {**base, "id": uid(16, 8), "actor_type": None, "actor_id": "U_ADMIN"}
    anonymous = {**base, "id": uid(16, 9), "actor_type": "system", "actor_id": None}
    import_older_rows_with({"oncall_audit_logs": [untyped, anonymous]})
    columns = "actor_type actor_id"
    assert values(imported(AuditLog, "oncall_audit_logs", untyped["id"]), columns) == (
        "user",
        "U_ADMIN",
    )
    assert values(imported(AuditLog, "oncall_audit_logs", anonymous["id"]), columns) == (
        "system",
        "system",
    )


def test_a_membership_without_joined_at_joined_when_its_row_was_made(postgres):
    late = {**legacy.OLDER_ROWS["team_memberships"][1], "id": uid(13, 8)}
    late.update(slack_user_id="U_CAROL", joined_at=None, created_at=ts("2025-08-01", "10:00"))
    with legacy.legacy_database(legacy.OLDER_SHAPE) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("ALTER TABLE team_memberships ADD COLUMN created_at timestamptz")
        legacy.insert_rows(url, legacy.OLDER_ROWS)
        legacy.insert_rows(url, {"team_memberships": [late]})
        run_import(url)
    group = imported(Team, "service_groups", legacy.G_PAY)
    assert group.memberships.get(slack_user_id="U_CAROL").joined_at == d("2025-08-01")


def test_a_later_shape_override_range_arrives_with_its_dates_and_decision(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE oncall_overrides ALTER COLUMN override_date DROP NOT NULL, "
            "ADD COLUMN start_date date, ADD COLUMN end_date date, ADD COLUMN decided_at timestamp"
        )
    ranged = {**legacy.OVERRIDES[1], "id": uid(4, 5), "override_date": None}
    ranged.update(start_date=d("2026-04-06"), end_date=d("2026-04-08"))
    ranged.update(decided_at=datetime.datetime(2026, 4, 1, 10, 0))  # no zone: read as UTC
    legacy.insert_rows(legacy_url, {"oncall_overrides": [ranged]})

    run_import(legacy_url)

    override = imported(Override, "oncall_overrides", ranged["id"])
    assert values(override, "start_date end_date decided_at") == (
        d("2026-04-06"),
        d("2026-04-08"),
        ts("2026-04-01", "10:00"),
    )


def test_a_legacy_schedule_the_rotation_made_arrives_as_auto(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute("ALTER TABLE oncall_schedules ADD COLUMN origin varchar(10)")
    planned = {**legacy.SCHEDULES[2], "id": uid(3, 7), "days_of_week": None, "origin": "auto"}
    planned.update(start_date=d("2026-04-13"), end_date=d("2026-04-19"))
    legacy.insert_rows(legacy_url, {"oncall_schedules": [planned]})

    run_import(legacy_url)

    assert imported(Schedule, "oncall_schedules", planned["id"]).origin == "auto"
    assert imported(Schedule, "oncall_schedules", legacy.SCH_AUTH).origin == "manual"


def older_import_with(rows: dict) -> None:
    import_older_rows_with(rows)


def test_a_system_change_dual_written_is_imported_once(postgres):
    manual = next(r for r in legacy.OLDER_ROWS["oncall_history"] if r["id"] == legacy.OLD_H_MANUAL)
    copy = {**legacy.OLDER_ROWS["oncall_audit_logs"][0], "id": uid(16, 7)}
    copy.update(entity_type="team", entity_id=legacy.G_PAY, action="updated")
    copy.update(actor_type="system", actor_id="system", metadata=None)
    copy.update({k: manual[k] for k in ("engineer_slack_id", "previous_engineer_slack_id")})
    copy.update({k: manual[k] for k in ("change_type", "change_reason", "effective_date")})

    older_import_with({"oncall_audit_logs": [copy]})

    entry = imported(AuditLog, "oncall_audit_logs", copy["id"])
    assert entry.metadata["legacy_import"]["duplicate"] == f"oncall_history:{manual['id']}"
    assert not AuditLog.objects.filter(legacy_id=f"oncall_history:{manual['id']}")


def test_a_dual_written_change_drops_the_history_row_of_its_own_date_only(postgres):
    twin = next(r for r in legacy.OLDER_ROWS["oncall_history"] if r["id"] == legacy.OLD_H_OVERRIDE)
    earlier = {**twin, "id": uid(15, 0), "effective_date": d("2026-02-25")}

    older_import_with({"oncall_history": [earlier]})

    assert imported(AuditLog, "oncall_history", earlier["id"]).effective_date == d("2026-02-25")
    assert not AuditLog.objects.filter(legacy_id=f"oncall_history:{legacy.OLD_H_OVERRIDE}")


def test_a_team_in_both_teams_and_service_groups_keeps_its_rows_on_the_teams_one(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE service_groups (id uuid PRIMARY KEY, group_name varchar(100))")
    legacy.insert_rows(legacy_url, {"service_groups": [{"id": legacy.T_PAY, "group_name": "Old"}]})

    run_import(legacy_url)

    week = imported(Schedule, "oncall_schedules", legacy.SCH_WEEK)
    assert week.team == team(legacy.T_PAY)
    assert imported(Team, "service_groups", legacy.T_PAY).name == "Old"


def test_a_service_of_a_team_the_old_database_lost_stops_the_import_naming_it(legacy_url):
    with psycopg.connect(legacy_url, autocommit=True) as conn:
        conn.execute(
            "ALTER TABLE service_team_mapping DROP CONSTRAINT service_team_mapping_team_id_fkey"
        )
    orphan = {
        **legacy.SERVICES[2],
        "id": uid(2, 7),
        "service_name": "Orphan",
        "team_id": uid(1, 99),
    }
    legacy.insert_rows(legacy_url, {"service_team_mapping": [orphan]})

    with pytest.raises(CommandError) as error:
        run_import(legacy_url)

    assert f"service_team_mapping:{orphan['id']}: team {uid(1, 99)} is not a legacy team" in str(
        error.value
    )
    assert not Service.objects.exists()

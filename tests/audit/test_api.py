"""/audit-logs/."""

import datetime

import pytest

from audit.models import AuditLog
from tests.api_support import ROLES, assert_error, client_for, make_user, session_client
from tests.factories import TeamFactory

URL = "/api/v1/audit-logs/"
UTC = datetime.UTC


def entry(at: datetime.datetime, **fields) -> AuditLog:
    values = {
        "entity_type": "team",
        "entity_id": "e1",
        "action": "updated",
        "actor_type": "user",
        "actor_id": "U_ALICE",
        **fields,
    }
    row = AuditLog.objects.create(**values)
    AuditLog.objects.filter(pk=row.pk).update(created_at=at)
    return row


@pytest.fixture
def log(db):
    payments = TeamFactory(slug="payments")
    return {
        "team": entry(datetime.datetime(2026, 12, 1, 9, tzinfo=UTC), team=payments),
        "service": entry(
            datetime.datetime(2026, 12, 2, 23, 30, tzinfo=UTC),
            entity_type="service",
            entity_id="s1",
            action="created",
            actor_id="ops-admin",
        ),
        "override": entry(
            datetime.datetime(2026, 12, 3, 0, 0, tzinfo=UTC),
            entity_type="override",
            entity_id="o1",
            action="override_approved",
            team=payments,
            changes={"status": {"old": "pending", "new": "approved"}},
        ),
    }


def keys(client, log, query: str = "") -> list[str]:
    response = client.get(URL + query)
    assert response.status_code == 200, response.content
    by_id = {str(row.pk): name for name, row in log.items()}
    return [by_id[r["id"]] for r in response.json()["results"]]


def test_audit_log_is_newest_first_with_its_diff(log):
    client = session_client(make_user())
    assert keys(client, log) == ["override", "service", "team"]
    newest = client.get(URL).json()["results"][0]
    assert newest["changes"] == {"status": {"old": "pending", "new": "approved"}}
    assert newest["team"]["slug"] == "payments"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?entity_type=service", ["service"]),
        ("?entity_id=o1", ["override"]),
        ("?action=created", ["service"]),
        ("?actor_id=ops-admin", ["service"]),
        ("?team=payments", ["override", "team"]),
        ("?from=2026-12-02", ["override", "service"]),
        ("?to=2026-12-02", ["service", "team"]),
        ("?from=2026-12-02T23:30:00Z&to=2026-12-02T23:59:59Z", ["service"]),
        ("?from=2026-12-03T00:30:00%2B01:00", ["override", "service"]),
        ("?team=payments&entity_type=team", ["team"]),
        ("?to=9999-12-31", ["override", "service", "team"]),  # the calendar's last day
        ("?from=2026-12-03", ["override"]),  # from a date's first instant, included
        ("?to=2026-12-02T23:30:00Z", ["service", "team"]),  # up to an instant, included
        ("?from=2026-12-02T23:30:00&to=2026-12-02T23:30:00", ["service"]),  # no zone: UTC
        ("?actor_id=ops", []),  # a whole id, not its start
        ("?actor_id=OPS-ADMIN", []),  # as written
        ("?entity_id=o", []),  # a whole id, not its start
        ("?action=override", []),  # a whole action, not a part
    ],
)
def test_audit_log_filters(log, query, expected):
    assert keys(session_client(make_user()), log, query) == expected


def test_audit_log_filters_by_team_id(log):
    team_id = log["team"].team_id
    assert keys(session_client(make_user()), log, f"?team={team_id}") == ["override", "team"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?from=yesterday", "from"),
        ("?to=2026-02-30", "to"),
        ("?entity_type=planet", "entity_type"),
        ("?from=0001-01-01T00:00:00%2B14:00", "from"),  # before year 1 in UTC
        ("?to=9999-12-31T23:59:59-14:00", "to"),  # after year 9999 in UTC
    ],
)
def test_audit_log_refuses_bad_filters(db, query, field):
    assert_error(session_client(make_user()).get(URL + query), 400, field)


@pytest.mark.parametrize("role", ROLES)
def test_audit_log_reads_need_authentication_only(db, role):
    assert client_for(role).get(URL).status_code == (401 if role == "anonymous" else 200)


def test_audit_log_is_read_only(log):
    client = client_for("staff")
    assert_error(client.post(URL, {}, format="json"), 405)


@pytest.mark.parametrize("size", [3, 60])
def test_audit_log_takes_the_same_queries_whatever_the_size(
    db, size, django_assert_max_num_queries
):
    for n in range(size):
        entry(
            datetime.datetime(2026, 12, 1, tzinfo=UTC),
            entity_id=str(n),
            team=TeamFactory(),
            engineer_slack_id="U_BOB",
            previous_engineer_slack_id="U_CAROL",
        )
    client = session_client(make_user())
    with django_assert_max_num_queries(4):
        body = client.get(URL).json()
    assert body["count"] == size
    names = {
        (r["actor_name"], r["engineer_name"], r["previous_engineer_name"]) for r in body["results"]
    }
    assert names == {("Alice Nguyen", "Bob Stone", "Carol Diaz")}  # read with the rows


def test_an_entry_holds_every_field_and_the_names_of_its_people(db):
    row = entry(
        datetime.datetime(2026, 12, 1, 9, tzinfo=UTC),
        entity_type="schedule",
        entity_id="s9",
        engineer_slack_id="U_BOB",
        previous_engineer_slack_id="U_CAROL",
        changes={"engineer_slack_id": {"old": "U_CAROL", "new": "U_BOB"}},
        metadata={"source": "api", "request_id": "req-9", "ip": "192.0.2.7", "role": "primary"},
        change_type="schedule_updated",
        change_reason="A swap",
        effective_date=datetime.date(2026, 12, 7),
    )
    [shown] = session_client(make_user()).get(URL).json()["results"]
    assert shown == {
        "id": str(row.pk),
        "created_at": "2026-12-01T09:00:00Z",
        "team": None,
        "entity_type": "schedule",
        "entity_id": "s9",
        "action": "updated",
        "actor_type": "user",
        "actor_id": "U_ALICE",
        "actor_name": "Alice Nguyen",
        "changes": {"engineer_slack_id": {"old": "U_CAROL", "new": "U_BOB"}},
        "metadata": {"source": "api", "request_id": "req-9", "ip": "192.0.2.7", "role": "primary"},
        "engineer_slack_id": "U_BOB",
        "engineer_name": "Bob Stone",
        "previous_engineer_slack_id": "U_CAROL",
        "previous_engineer_name": "Carol Diaz",
        "change_type": "schedule_updated",
        "change_reason": "A swap",
        "effective_date": "2026-12-07",
    }

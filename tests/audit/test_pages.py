"""The audit log viewer and a team's history tab: filters, pages, old → new values, links."""

import datetime
import re
import uuid

import pytest
from django.test import Client

from audit.models import AuditLog
from escalation.models import Escalation
from teams.models import Person, Team
from tests.factories import AuditLogFactory, ServiceFactory, TeamFactory
from tests.page_support import assert_login_redirect, client_for, make_user


@pytest.fixture
def team(db):
    return TeamFactory(name="Payments", slug="payments")


@pytest.mark.parametrize("path", ["/audit/", "/teams/payments/history/"])
def test_audit_pages_send_anonymous_visitors_to_log_in(client, team, path):
    assert_login_redirect(client.get(path), path)


@pytest.mark.parametrize("role", ["member", "lead", "staff"])
@pytest.mark.parametrize("path", ["/audit/", "/teams/payments/history/"])
def test_audit_pages_open_for_every_signed_in_role(team, role, path):
    assert client_for(role, team).get(path).status_code == 200


def test_entries_show_old_and_new_values_and_link_to_what_changed(team):
    AuditLogFactory(
        team=team,
        entity_type="override",
        action="override_approved",
        actor_id="U_LEAD",
        changes={"status": {"old": "pending", "new": "approved"}},
    )
    service = ServiceFactory(name="Payment API", team=team)
    AuditLogFactory(entity_type="service", entity_id=str(service.pk), action="created")
    page = client_for("member", team).get("/audit/").content.decode()
    assert "override approved" in page and "pending" in page and "approved" in page
    assert "/teams/payments/overrides/" in page and f"/services/{service.pk}/" in page


def test_an_entry_is_dated_as_the_other_pages_date_things(team):
    """'Thu 15 Jan 2026 10:00 UTC', with the machine-readable instant beside it, not ISO."""
    entry = AuditLogFactory(team=team, entity_type="team", changes={})
    at = datetime.datetime(2026, 1, 15, 10, 0, tzinfo=datetime.UTC)
    AuditLog.objects.filter(pk=entry.pk).update(created_at=at)
    page = client_for("member", team).get("/audit/").content.decode()
    assert '<time datetime="2026-01-15T10:00:00+00:00">Thu 15 Jan 2026 10:00 UTC</time>' in page


def _summaries(response) -> list[str]:
    """The summary lines of the entries as a reader sees them, after the time and the actor."""
    lines = re.findall(r"<summary>(.*?)</summary>", response.content.decode(), re.S)
    words = [" ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in lines]
    return [line.split(" ", 8)[-1] for line in words]  # drop "Thu 15 Jan 2026 10:00 UTC · actor"


def test_summaries_name_what_changed_from_the_entry_itself(team):
    service = ServiceFactory(name="Ledger", team=team)
    AuditLogFactory(
        team=team,
        entity_type="service",
        entity_id=str(service.pk),
        action="created",
        changes={"name": {"old": None, "new": "Ledger"}},
    )
    AuditLogFactory(
        entity_type="escalation",
        entity_id="esc-1",
        action="created",
        changes={"level": {"old": None, "new": 1}},
        metadata={"bug_id": "BUG-42", "services": ["Ledger"]},
    )
    AuditLogFactory(
        team=team,
        entity_type="schedule",
        action="deleted",
        changes={"engineer_slack_id": {"old": "U_BOB", "new": None}},
        previous_engineer_slack_id="U_BOB",
    )
    AuditLogFactory(team=team, entity_type="team", changes={})
    assert sorted(_summaries(client_for("staff").get("/audit/"))) == [
        "created escalation BUG-42",
        "created service Ledger in Payments",
        "deleted schedule Bob Stone U_BOB in Payments",
        "updated team Payments",
    ]


def test_summaries_look_up_the_services_and_bugs_an_entry_does_not_name(team):
    service = ServiceFactory(name="Ledger", team=team)
    escalation = Escalation.objects.create(bug_id="BUG-7", services=["Ledger"])
    AuditLogFactory(
        team=team,
        entity_type="service",
        entity_id=str(service.pk),
        changes={"tier": {"old": "low", "new": "critical"}},
    )
    AuditLogFactory(
        entity_type="escalation",
        entity_id=str(escalation.pk),
        action="escalated",
        changes={"level": {"old": 1, "new": 2}},
    )
    # Imported history may name its entity by something else, or hold odd changes: no 500.
    AuditLogFactory(entity_type="service", entity_id="legacy-42", changes=["odd"], metadata=[])
    assert sorted(_summaries(client_for("staff").get("/audit/"))) == [
        "escalated escalation BUG-7",
        "updated service",
        "updated service Ledger in Payments",
    ]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"entity_type": "override"}, {"a"}),
        ({"action": "created"}, {"b"}),
        ({"actor": "U_LEAD"}, {"a"}),
        ({"team": "payments"}, {"a"}),
        ({"date_from": "2026-02-01"}, {"b"}),
        ({"date_to": "2026-01-31"}, {"a"}),
    ],
)
def test_audit_log_filters(team, query, expected):
    a = AuditLogFactory(team=team, entity_type="override", entity_id="a", actor_id="U_LEAD")
    b = AuditLogFactory(entity_type="service", entity_id="b", action="created")
    a.__class__.objects.filter(pk=a.pk).update(
        created_at=datetime.datetime(2026, 1, 15, tzinfo=datetime.UTC)
    )
    b.__class__.objects.filter(pk=b.pk).update(
        created_at=datetime.datetime(2026, 2, 15, tzinfo=datetime.UTC)
    )
    response = client_for("staff").get("/audit/", query)
    assert {entry.entity_id for entry, _label, _link in response.context["entries"]} == expected


def test_team_history_shows_only_that_team(team):
    AuditLogFactory(team=team, entity_id="mine")
    AuditLogFactory(team=TeamFactory(), entity_id="theirs")
    response = client_for("member", team).get("/teams/payments/history/")
    assert [entry.entity_id for entry, _label, _link in response.context["entries"]] == ["mine"]


@pytest.mark.parametrize("size", [2, 120])
def test_audit_log_takes_the_same_queries_whatever_its_size(
    team, size, django_assert_max_num_queries
):
    for n in range(size):
        service = ServiceFactory(team=team)
        escalation = Escalation.objects.create(bug_id=f"BUG-{n}")
        AuditLogFactory(team=team, entity_type="schedule", engineer_slack_id="U_BOB")
        AuditLogFactory(team=team, entity_type="service", entity_id=str(service.pk), changes={})
        AuditLogFactory(entity_type="escalation", entity_id=str(escalation.pk), changes={})
    client = client_for("staff")
    with django_assert_max_num_queries(8):
        response = client.get("/audit/", {"page": "2"} if size > 50 else {})
    assert response.status_code == 200
    entries = response.context["entries"]
    assert len(entries) == (50 if size > 50 else 3 * size)
    assert all(label.name or label.engineer for _entry, label, _link in entries)


# --- people by name --------------------------------------------------------------------------


def test_an_entry_naming_someone_only_as_replaced_or_in_its_changes_shows_their_name(team):
    AuditLogFactory(
        team=team, entity_type="override", actor_id="ops", previous_engineer_slack_id="U_BOB"
    )
    AuditLogFactory(
        team=team,
        entity_type="team_membership",
        actor_id="ops",
        changes={"slack_user_id": {"old": None, "new": "U_CAROL"}},
    )
    summaries = _summaries(client_for("staff").get("/audit/"))
    assert sorted(summaries) == [
        "updated override Bob Stone U_BOB in Payments",
        "updated team membership Carol Diaz U_CAROL in Payments",
    ]


@pytest.mark.parametrize("name", ["", "Old Timer"])
@pytest.mark.parametrize("column", ["engineer_slack_id", "actor_id"])
def test_an_unconfirmed_person_is_marked_in_the_audit_log(team, name, column):
    """Named or not (a name from old data, read with the entry), as the actor or the engineer."""
    Person.objects.create(
        slack_user_id="U_OLDTIMER", is_active=False, status="unconfirmed", display_name=name
    )
    AuditLogFactory(team=team, entity_type="schedule", **{column: "U_OLDTIMER"})
    page = client_for("staff").get("/audit/").content.decode()
    assert re.search(r'U_OLDTIMER</code> <span class="badge badge-unconfirmed"[^>]*>unconf', page)
    named = re.search(r'Old Timer <code class="slack-id">U_OLDTIMER</code>', page)
    assert bool(named) == bool(name)  # the name from old data, beside the id


@pytest.mark.parametrize(("who", "found"), [("Alice Nguyen", {"a"}), ("U_BOB", {"b"})])
def test_who_takes_a_name_the_directory_holds_or_an_id(team, who, found):
    AuditLogFactory(team=team, entity_id="a", actor_id="U_ALICE")
    AuditLogFactory(team=team, entity_id="b", actor_id="U_BOB")
    response = client_for("staff").get("/audit/", {"actor": who})
    assert {entry.entity_id for entry, _label, _link in response.context["entries"]} == found


def test_old_and_new_values_name_the_people_they_hold(team):
    AuditLogFactory(
        team=team,
        entity_type="rotation_config",
        actor_id="ops",
        changes={
            "rotation_order": {"old": ["U_BOB"], "new": ["U_CAROL", "U_BOB"]},
            "oncall_engineer": {"old": None, "new": "U_NAMELESS"},
        },
    )
    response = client_for("staff").get("/audit/")
    cells = re.findall(r"<td>([^<]*)</td>", response.content.decode())
    assert cells == [
        "Bob Stone (U_BOB)",
        "Carol Diaz (U_CAROL), Bob Stone (U_BOB)",
        "—",
        "U_NAMELESS",
    ]


# --- dates, links and labels ------------------------------------------------------------------

# Instants around the 15th and 16th of January in Tokyo (UTC+9), where U_DAVE reads the log.
AROUND_TOKYO_DAYS = {
    "before": datetime.datetime(2026, 1, 14, 14, 59, 59, tzinfo=datetime.UTC),  # 14th, 23:59:59
    "first": datetime.datetime(2026, 1, 14, 15, tzinfo=datetime.UTC),  # 15th, 00:00
    "last": datetime.datetime(2026, 1, 16, 14, 59, 59, tzinfo=datetime.UTC),  # 16th, 23:59:59
    "after": datetime.datetime(2026, 1, 16, 15, tzinfo=datetime.UTC),  # 17th, 00:00
}


def _entity_ids(response) -> set[str]:
    return {entry.entity_id for entry, _label, _link in response.context["entries"]}


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        (("2026-01-15", "2026-01-16"), {"first", "last"}),
        (("2026-01-15", "2026-01-15"), {"first"}),  # one day: from and to the same date
        (("2026-01-17", "9999-12-31"), {"after"}),  # to the calendar's last day: no bound
    ],
)
def test_dates_are_whole_days_in_the_viewers_time_zone_both_ends_included(team, dates, expected):
    for name, instant in AROUND_TOKYO_DAYS.items():
        row = AuditLogFactory(team=team, entity_id=name)
        AuditLog.objects.filter(pk=row.pk).update(created_at=instant)
    client = Client()
    client.force_login(make_user("U_DAVE"))  # Asia/Tokyo
    response = client.get("/audit/", {"date_from": dates[0], "date_to": dates[1]})
    assert response.status_code == 200 and _entity_ids(response) == expected


def test_who_names_nobody_when_two_people_share_the_name(team):
    Person.objects.create(slack_user_id="U_SAM1", display_name="Sam Lee")
    Person.objects.create(slack_user_id="U_SAM2", display_name="Sam Lee")
    AuditLogFactory(team=team, entity_id="one", actor_id="U_SAM1")
    AuditLogFactory(team=team, entity_id="two", actor_id="U_SAM2")
    response = client_for("staff").get("/audit/", {"actor": "Sam Lee"})
    assert _entity_ids(response) == set()  # not one of the two, picked at random


@pytest.mark.parametrize(
    ("entity_type", "path"),
    [
        ("team", "/teams/payments/"),
        ("rotation_config", "/teams/payments/rotation/"),
        ("team_membership", "/teams/payments/members/"),
        ("unavailability", "/teams/payments/members/"),
        ("schedule", "/teams/payments/schedules/"),
        ("override", "/teams/payments/overrides/"),
        ("escalation", None),
    ],
)
def test_each_entry_links_to_its_teams_tab(team, entity_type, path):
    AuditLogFactory(team=team, entity_type=entity_type)
    [(_entry, _label, link)] = client_for("staff").get("/audit/").context["entries"]
    assert link == path


def test_summaries_name_what_the_entry_names_at_its_time(team):
    AuditLogFactory(
        team=team,
        entity_type="team",
        changes={"name": {"old": "Pay", "new": "Pay and Co"}},  # the team's name since changed
    )
    AuditLogFactory(
        entity_type="service",
        entity_id=str(uuid.uuid4()),  # deleted since: no row to look the name up in
        action="deleted",
        changes={"name": {"old": "Ledger", "new": None}},
    )
    AuditLogFactory(
        team=team,
        entity_type="override",
        engineer_slack_id="U_CAROL",  # who covers, not whom they replace
        previous_engineer_slack_id="U_BOB",
        changes={},
    )
    AuditLogFactory(
        entity_type="api_token", action="created", changes={"user": {"old": None, "new": "bot"}}
    )
    AuditLogFactory(
        entity_type="person", changes={"slack_user_id": {"old": None, "new": "U_ALICE"}}
    )
    assert sorted(_summaries(client_for("staff").get("/audit/"))) == [
        "created api token bot",
        "deleted service Ledger",
        "updated override Carol Diaz U_CAROL in Payments",
        "updated person Alice Nguyen U_ALICE",
        "updated team Pay and Co",
    ]


def test_the_team_filter_is_that_team_alone_and_lists_teams_by_name(db):
    ops = TeamFactory(name="Zulu Ops", slug="ops")
    TeamFactory(name="Alpha Ops", slug="ops-eu")  # its slug starts with the other's
    AuditLogFactory(team=ops, entity_id="ops")
    AuditLogFactory(team=Team.objects.get(slug="ops-eu"), entity_id="ops-eu")
    response = client_for("staff").get("/audit/", {"team": "ops"})
    assert _entity_ids(response) == {"ops"}
    choices = list(response.context["form"].fields["team"].choices)
    assert choices == [("", "Any team"), ("ops-eu", "Alpha Ops"), ("ops", "Zulu Ops")]


def test_filters_that_make_no_sense_show_their_error_and_no_entries(team):
    AuditLogFactory(team=team)
    dates = {"date_from": "2026-02-01", "date_to": "2026-01-31"}
    response = client_for("staff").get("/audit/", dates)
    assert response.status_code == 200
    assert response.context["form"].errors == {"date_to": ["The end is before the start."]}
    assert response.context["entries"] == []


def test_an_entry_whose_team_is_gone_links_nowhere(db):
    """Imported history, or an entry of a team since removed, names no team to link to."""
    AuditLogFactory(team=None, entity_type="schedule", engineer_slack_id="U_BOB")
    [(_entry, label, link)] = client_for("staff").get("/audit/").context["entries"]
    assert (label.engineer, link) == ("U_BOB", None)

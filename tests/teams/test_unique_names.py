"""Team names are unique whatever the case: refused in the actions, the API, the pages and the
admin, kept by the database, and a lookup by name or slug always finds the same one team."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from audit.models import AuditLog
from escalation.oncall_reply import oncall_reply
from oncall_project.base.errors import InvalidInput
from services.selectors import who
from teams import actions
from teams.models import Team
from tests.admin_support import admin_url, form_errors, login_operator
from tests.api_support import assert_error, client_for, nothing_changes
from tests.factories import ServiceFactory, TeamFactory
from tests.migration_support import migrate
from tests.page_support import client_for as page_client_for
from tests.page_support import field_errors


@pytest.fixture
def payments(db):
    return TeamFactory(name="Payments", slug="payments")


def test_the_database_refuses_a_name_that_differs_only_in_case(payments):
    with pytest.raises(IntegrityError), transaction.atomic():
        Team.objects.create(name="PAYMENTS", slug="payments-2")


@pytest.mark.parametrize("name", ["payments", "PAYMENTS", "Payments"])
def test_team_create_refuses_a_taken_name_in_any_case(payments, staff_actor, name):
    with pytest.raises(InvalidInput) as refused:
        actions.team_create(actor=staff_actor, fields=actions.TeamFields(name=name, slug="other"))
    assert refused.value.errors == {"name": ["A team named 'Payments' already exists."]}
    assert Team.objects.count() == 1


def test_a_rename_to_a_taken_name_is_refused_and_the_own_name_in_new_case_is_not(
    payments, staff_actor
):
    identity = TeamFactory(name="Identity", slug="identity")
    with pytest.raises(InvalidInput):
        actions.team_update(
            team=identity, actor=staff_actor, changes=actions.TeamFields(name="payments")
        )
    assert Team.objects.get(pk=identity.pk).name == "Identity"
    actions.team_update(
        team=identity, actor=staff_actor, changes=actions.TeamFields(name="IDENTITY")
    )
    assert Team.objects.get(pk=identity.pk).name == "IDENTITY"


def test_the_api_answers_a_clash_with_a_400_naming_the_field(payments):
    staff = client_for("staff")
    identity = TeamFactory(name="Identity", slug="identity")
    with nothing_changes():
        create = staff.post("/api/v1/teams/", {"name": "payMENTS", "slug": "x"}, format="json")
        body = assert_error(create, 400, "name")
        assert body["errors"]["name"] == ["A team named 'Payments' already exists."]
        rename = staff.patch(f"/api/v1/teams/{identity.pk}/", {"name": "payments"}, format="json")
        assert_error(rename, 400, "name")


def test_the_pages_show_a_clash_next_to_the_name(payments):
    client = page_client_for("staff")
    with nothing_changes():
        response = client.post("/teams/new/", {"name": "PAYMENTS", "slug": "x", "timezone": "UTC"})
    assert "name" in field_errors(response)


def test_the_admin_shows_a_clash_next_to_the_name(client, payments):
    login_operator(client)
    data = {"name": "payments", "slug": "other", "timezone": "UTC", "handoff_time": "09:00"}
    data |= {"rotation_type": "round_robin", "rotation_interval": "weekly"}
    data |= {"lookahead_periods": "4", "rotation_order": "[]", "metadata": "{}"}
    data |= {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    response = client.post(admin_url(Team, "add"), data)
    assert "name" in form_errors(response)
    assert Team.objects.count() == 1
    assert AuditLog.objects.count() == 0


def test_every_lookup_by_word_finds_the_same_team_a_slug_before_a_name(db):
    """'payments' is one team's slug and, in another case, another team's name: the API, the
    slash command and the "who is on call for…" page all take the slug's team."""
    TeamFactory(name="Payments", slug="pay", oncall_engineer="U_ALICE")
    TeamFactory(name="Zeta", slug="payments", oncall_engineer="U_BOB")
    staff = client_for("staff")
    for word in ("payments", "PAYMENTS"):
        answer = staff.get("/api/v1/oncall/", {"team": word}).json()
        assert (answer["team"]["slug"], answer["engineer_slack_id"]) == ("payments", "U_BOB")
        assert oncall_reply(word, "U_ANYONE", timezone.now()).startswith("*Zeta*: <@U_BOB>")
        assert who.find(word)[1].slug == "payments"
    answer = staff.get("/api/v1/oncall/", {"team": "Payments"}).json()
    assert answer["team"]["slug"] == "payments"
    by_name = staff.get("/api/v1/oncall/", {"team": "pay"}).json()
    assert by_name["engineer_slack_id"] == "U_ALICE"


def test_a_name_with_capitals_beyond_ascii_is_found_as_written(db):
    # SQLite's LOWER() folds ASCII letters only: the database lowers the word asked for too
    TeamFactory(name="Überweisung", slug="transfers", oncall_engineer="U_ALICE")
    ServiceFactory(name="Öl", team=None, service_owner="U_BOB")
    staff = client_for("staff")
    answer = staff.get("/api/v1/oncall/", {"team": "Überweisung"}).json()
    assert answer["team"]["slug"] == "transfers"
    assert staff.get("/api/v1/oncall/", {"service": "Öl"}).json()["engineer_slack_id"] == "U_BOB"
    mentions = staff.get("/api/v1/oncall/mentions/", {"services": "Öl,Nope"}).json()
    assert (mentions["mentions"], mentions["unknown"]) == (["<@U_BOB>"], ["Nope"])


# --- the migration that brings the rule to existing data ---------------------------------------

BEFORE = [("teams", "0002_oncall_version_and_weight_cap")]


@pytest.mark.django_db(transaction=True)
def test_the_migration_renames_existing_clashes_and_says_so_in_the_audit_log():
    old = migrate(BEFORE)
    teams = old.get_model("teams", "Team")
    made = {}
    for n, (name, active) in enumerate(
        [("payments", False), ("Payments", True), ("PAYMENTS", True), ("Payments (2)", True)]
    ):
        made[name] = teams.objects.create(
            name=name, slug=f"team-{n}", is_active=active, ical_token=f"token-{n}"
        ).pk

    migrate()

    names = dict(Team.objects.values_list("pk", "name"))
    # an active team keeps the name before a deleted one, the oldest before a newer one
    assert names[made["Payments"]] == "Payments"
    assert names[made["PAYMENTS"]] == "PAYMENTS (3)"
    assert names[made["payments"]] == "payments (4)"
    assert names[made["Payments (2)"]] == "Payments (2)"
    entries = AuditLog.objects.filter(entity_type="team", action="updated").order_by("changes")
    assert [(e.entity_id, e.changes, e.actor_id) for e in entries] == [
        (str(made["PAYMENTS"]), {"name": {"old": "PAYMENTS", "new": "PAYMENTS (3)"}}, "system"),
        (str(made["payments"]), {"name": {"old": "payments", "new": "payments (4)"}}, "system"),
    ]
    assert entries[0].change_reason == (
        "Team names are unique whatever the case: 'PAYMENTS' clashed with 'Payments'."
    )
    assert entries[0].metadata == {
        "source": "migration",
        "migration": "teams.0003_unique_names_and_bounds",
    }
    history = Team.history.filter(id=made["payments"]).get()
    assert (history.history_type, history.name) == ("~", "payments (4)")

"""The team admin writes through the team actions: audited, validated, all or nothing."""

import pytest

from audit.models import AuditLog
from teams.models import Person, Team, TeamMembership, Unavailability
from tests.admin_support import (
    admin_url,
    form_data,
    form_errors,
    login_operator,
    messages_of,
    only_audit_row,
)
from tests.factories import MembershipFactory, TeamFactory, UserFactory


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def post_change(client, obj, **changes):
    page = client.get(admin_url(type(obj), "change", obj.pk))
    return client.post(admin_url(type(obj), "change", obj.pk), form_data(page, **changes))


def test_admin_team_change_is_audited_once_as_the_operator(client, operator):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, slack_user_id="U_ALICE")

    response = post_change(
        client, team, description="Money in, money out.", oncall_engineer="U_ALICE"
    )

    assert response.status_code == 302
    row = only_audit_row()
    assert (row.entity_type, row.action, row.entity_id) == ("team", "updated", str(team.pk))
    assert (row.actor_type, row.actor_id, row.metadata["source"]) == ("user", "ops", "admin")
    assert row.changes == {
        "description": {"old": "", "new": "Money in, money out."},
        "oncall_engineer": {"old": "", "new": "U_ALICE"},
    }
    team.refresh_from_db()
    assert team.oncall_engineer == "U_ALICE"


def test_admin_team_change_with_bad_input_shows_errors_and_writes_nothing(client, operator):
    team = TeamFactory(name="Payments", slug="payments")
    TeamFactory(slug="auth")

    response = post_change(client, team, slug="auth", timezone="Mars/Olympus")

    assert set(form_errors(response)) == {"slug", "timezone"}
    assert Team.objects.get(pk=team.pk).slug == "payments"
    assert AuditLog.objects.count() == 0


def test_admin_team_add_meets_the_rotation_configs_rules_and_writes_nothing(client, operator):
    page = client.get(admin_url(Team, "add"))
    data = form_data(page, name="Search", slug="search", timezone="UTC")
    data |= {"rotation_enabled": "on", "rotation_start_date": "2046-01-01"}

    response = client.post(admin_url(Team, "add"), data)

    assert "rotation_start_date" in form_errors(response)
    assert not Team.objects.exists()
    assert AuditLog.objects.count() == 0


def test_admin_team_rotation_order_nested_too_deeply_is_a_form_error(client, operator):
    team = TeamFactory(name="Payments", slug="payments")

    response = post_change(client, team, rotation_order="[" * 5000 + "]" * 5000)

    assert "rotation_order" in form_errors(response)
    assert AuditLog.objects.count() == 0


def test_admin_team_and_rotation_change_is_audited_by_each_action(client, operator):
    team = TeamFactory(name="Platform", slug="platform")
    MembershipFactory(team=team, slack_user_id="U_IVAN")

    response = post_change(
        client,
        team,
        description="Paved road.",
        rotation_enabled="on",
        rotation_start_date="2026-12-07",
        handoff_day="0",
    )

    assert response.status_code == 302
    rows = {row.entity_type: row for row in AuditLog.objects.filter(action="updated")}
    assert rows["team"].changes == {"description": {"old": "", "new": "Paved road."}}
    assert rows["rotation_config"].changes["rotation_enabled"] == {"old": False, "new": True}
    assert rows["rotation_config"].changes["rotation_start_date"]["new"] == "2026-12-07"
    assert {row.actor_id for row in rows.values()} == {"ops"}
    team.refresh_from_db()
    assert (team.rotation_enabled, team.handoff_day) == (True, 0)


def test_admin_bad_rotation_settings_are_a_form_error_and_write_nothing(client, operator):
    team = TeamFactory(description="before")

    response = post_change(
        client,
        team,
        description="after",
        rotation_enabled="on",
        rotation_type="custom_order",
        rotation_start_date="2026-12-07",
    )

    assert "rotation_order" in form_errors(response)
    team.refresh_from_db()
    assert (team.description, team.rotation_enabled) == ("before", False)
    assert AuditLog.objects.count() == 0


def test_admin_team_add_with_a_member_audits_both(client, operator):
    page = client.get(admin_url(Team, "add"))
    data = form_data(page, name="Payments", slug="payments", timezone="America/New_York")
    data |= {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-slack_user_id": "U_ALICE",
        "memberships-0-display_name": "Alice",
        "memberships-0-team_role": "lead",
        "memberships-0-is_eligible_for_oncall": "on",
        "memberships-0-weight": "1.5",
        "memberships-0-joined_at": "2026-01-05",
    }

    response = client.post(admin_url(Team, "add"), data)

    assert response.status_code == 302
    team = Team.objects.get(slug="payments")
    assert team.memberships.get().team_role == "lead"
    rows = AuditLog.objects.order_by("entity_type")
    assert [(r.entity_type, r.action, r.actor_id) for r in rows] == [
        ("team", "created", "ops"),
        ("team_membership", "created", "ops"),
    ]
    assert rows[1].changes["weight"] == {"old": None, "new": 1.5}


def test_admin_inline_member_change_and_removal_are_audited(client, operator):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_ALICE", weight=1.0)
    MembershipFactory(team=team, slack_user_id="U_BOB")
    page = client.get(admin_url(Team, "change", team.pk))
    forms = page.context["inline_admin_formsets"][0].formset.forms
    alice = next(i for i, f in enumerate(forms) if f.instance.slack_user_id == "U_ALICE")
    bob = 1 - alice

    response = client.post(
        admin_url(Team, "change", team.pk),
        form_data(
            page, **{f"memberships-{alice}-weight": "2.0", f"memberships-{bob}-DELETE": "on"}
        ),
    )

    assert response.status_code == 302
    assert list(team.memberships.values_list("slack_user_id", "weight")) == [("U_ALICE", 2.0)]
    changes = {r.action: r.changes for r in AuditLog.objects.filter(entity_type="team_membership")}
    assert changes["updated"] == {"weight": {"old": 1.0, "new": 2.0}}
    assert changes["deleted"]["slack_user_id"] == {"old": "U_BOB", "new": None}
    assert AuditLog.objects.count() == 2


def test_admin_bad_inline_row_undoes_the_team_change(client, operator):
    team = TeamFactory(description="before")
    page = client.get(admin_url(Team, "change", team.pk))
    data = form_data(page, description="after")
    data |= {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-slack_user_id": "alice",
        "memberships-0-team_role": "member",
        "memberships-0-weight": "1",
        "memberships-0-joined_at": "2026-01-05",
    }

    response = client.post(admin_url(Team, "change", team.pk), data)

    assert response.status_code == 200
    assert response.context["inline_admin_formsets"][0].formset.errors[0]["slack_user_id"]
    assert Team.objects.get(pk=team.pk).description == "before"
    assert AuditLog.objects.count() == 0
    assert TeamMembership.objects.count() == 0


def test_admin_team_soft_delete_and_restore_actions(client, operator):
    payments, auth = TeamFactory(), TeamFactory()
    changelist = admin_url(Team, "changelist")

    client.post(
        changelist, {"action": "soft_delete_selected", "_selected_action": [payments.pk, auth.pk]}
    )
    assert Team.objects.filter(is_active=False).count() == 2
    client.post(changelist, {"action": "restore_selected", "_selected_action": [payments.pk]})

    payments.refresh_from_db()
    assert payments.is_active
    actions = sorted(AuditLog.objects.values_list("action", flat=True))
    assert actions == ["deleted", "deleted", "restored"]
    assert set(AuditLog.objects.values_list("actor_id", flat=True)) == {"ops"}


def test_admin_team_delete_button_soft_deletes(client, operator):
    team = TeamFactory()
    MembershipFactory(team=team, display_name="Alice")
    confirm = client.get(admin_url(Team, "delete", team.pk))
    assert confirm.status_code == 200
    assert b"Alice" not in confirm.content  # a soft delete takes nothing else with it

    response = client.post(admin_url(Team, "delete", team.pk), {"post": "yes"})

    assert response.status_code == 302
    team.refresh_from_db()
    assert not team.is_active
    assert team.memberships.count() == 1
    assert only_audit_row().action == "deleted"


def test_admin_standalone_membership_add_is_audited(client, operator):
    team = TeamFactory()
    page = client.get(admin_url(TeamMembership, "add"))
    data = form_data(
        page,
        team=str(team.pk),
        slack_user_id="U_CAROL",
        team_role="member",
        weight="1",
        joined_at="2026-02-01",
    )

    response = client.post(admin_url(TeamMembership, "add"), data)

    assert response.status_code == 302
    row = only_audit_row()
    assert (row.entity_type, row.action, row.engineer_slack_id) == (
        "team_membership",
        "created",
        "U_CAROL",
    )


def test_admin_unavailability_add_and_delete_are_audited(client, operator):
    team = TeamFactory()
    page = client.get(admin_url(Unavailability, "add"))
    data = form_data(
        page,
        slack_user_id="U_ALICE",
        team=str(team.pk),
        start_date="2026-12-01",
        end_date="2026-12-05",
        reason="Vacation",
    )
    assert client.post(admin_url(Unavailability, "add"), data).status_code == 302
    away = Unavailability.objects.get()

    client.post(admin_url(Unavailability, "delete", away.pk), {"post": "yes"})

    assert not Unavailability.objects.exists()
    assert list(AuditLog.objects.order_by("created_at").values_list("action", flat=True)) == [
        "created",
        "deleted",
    ]


def test_admin_unavailability_with_end_before_start_is_refused(client, operator):
    page = client.get(admin_url(Unavailability, "add"))
    data = form_data(page, slack_user_id="U_ALICE", start_date="2026-12-05", end_date="2026-12-01")

    assert form_errors(client.post(admin_url(Unavailability, "add"), data))
    assert not Unavailability.objects.exists()
    assert AuditLog.objects.count() == 0


def test_admin_person_link_and_relink_are_audited(client, operator):
    user = UserFactory(username="alice")
    page = client.get(admin_url(Person, "add"))
    data = form_data(page, user=str(user.pk), slack_user_id="U_ALINA")
    assert client.post(admin_url(Person, "add"), data).status_code == 302
    person = Person.objects.get(user=user)

    assert post_change(client, person, slack_user_id="U_ALINA2").status_code == 302

    rows = AuditLog.objects.filter(entity_type="person").order_by("created_at")
    assert [(r.action, r.changes["slack_user_id"]) for r in rows] == [
        ("created", {"old": None, "new": "U_ALINA"}),
        ("updated", {"old": "U_ALINA", "new": "U_ALINA2"}),
    ]


def test_admin_deactivates_a_directory_entry_and_never_deletes_it(client, operator):
    person = Person.objects.get(slack_user_id="U_ALICE")
    assert client.get(admin_url(Person, "delete", person.pk)).status_code == 403
    listing = client.get(admin_url(Person, "changelist"))
    assert b"delete_selected" not in listing.content and b"deactivate" in listing.content

    done = client.post(
        admin_url(Person, "changelist"),
        {"action": "deactivate", "_selected_action": [str(person.pk)]},
        follow=True,
    )

    assert b"1 deactivated" in done.content
    person.refresh_from_db()
    assert person.is_active is False
    entry = AuditLog.objects.get(entity_type="person")
    assert entry.changes["is_active"] == {"old": True, "new": False}


def test_admin_person_slack_id_taken_is_a_form_error(client, operator):
    Person.objects.create(user=UserFactory(), slack_user_id="U_ALINA")
    user = UserFactory()
    page = client.get(admin_url(Person, "add"))
    data = form_data(page, user=str(user.pk), slack_user_id="U_ALINA")

    assert "slack_user_id" in form_errors(client.post(admin_url(Person, "add"), data))
    assert AuditLog.objects.count() == 0


def test_admin_team_add_refused_for_a_bad_member_can_be_corrected(client, operator):
    page = client.get(admin_url(Team, "add"))
    data = form_data(page, name="Payments", slug="payments")
    data |= {
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-slack_user_id": "alice",
        "memberships-0-team_role": "member",
        "memberships-0-weight": "1",
        "memberships-0-joined_at": "2026-01-05",
    }

    refused = client.post(admin_url(Team, "add"), data)
    assert refused.status_code == 200
    assert not Team.objects.exists()
    assert AuditLog.objects.count() == 0

    retry = form_data(refused, **{"memberships-0-slack_user_id": "U_ALICE"})
    assert client.post(admin_url(Team, "add"), retry).status_code == 302
    assert Team.objects.get().memberships.get().slack_user_id == "U_ALICE"


def test_admin_team_add_refused_with_a_member_blames_only_the_team(client, operator):
    page = client.get(admin_url(Team, "add"))
    data = form_data(page, name="Search", slug="search", timezone="UTC")
    data |= {
        "rotation_enabled": "on",
        "rotation_start_date": "2046-01-01",
        "memberships-TOTAL_FORMS": "1",
        "memberships-0-slack_user_id": "U_ALICE",
        "memberships-0-team_role": "member",
        "memberships-0-weight": "1",
        "memberships-0-joined_at": "2026-01-05",
    }

    response = client.post(admin_url(Team, "add"), data)

    assert "rotation_start_date" in form_errors(response)
    formset = response.context["inline_admin_formsets"][0].formset
    assert not any(formset.errors) and not formset.non_form_errors()
    assert not Team.objects.exists() and not TeamMembership.objects.exists()
    assert AuditLog.objects.count() == 0


def test_admin_inline_member_keeps_its_person(client, operator):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_ALICE", weight=1.0)
    page = client.get(admin_url(Team, "change", team.pk))

    response = client.post(
        admin_url(Team, "change", team.pk),
        form_data(page, **{"memberships-0-slack_user_id": "U_BOB", "memberships-0-weight": "2.0"}),
    )

    assert response.status_code == 302
    assert list(team.memberships.values_list("slack_user_id", "weight")) == [("U_ALICE", 2.0)]
    assert only_audit_row().changes == {"weight": {"old": 1.0, "new": 2.0}}


def test_admin_membership_page_keeps_its_team_and_person(client, operator):
    membership = MembershipFactory(slack_user_id="U_ALICE", weight=1.0)
    other = TeamFactory()

    response = post_change(
        client, membership, team=str(other.pk), slack_user_id="U_BOB", weight="2.0"
    )

    assert response.status_code == 302
    assert list(TeamMembership.objects.values_list("team", "slack_user_id", "weight")) == [
        (membership.team_id, "U_ALICE", 2.0)
    ]
    assert only_audit_row().changes == {"weight": {"old": 1.0, "new": 2.0}}


def test_admin_team_page_leaves_deleting_and_the_current_on_call_to_their_actions(client, operator):
    team = TeamFactory(current_engineer="U_ALICE")

    response = post_change(client, team, is_active="", current_engineer="U_BOB")

    assert response.status_code == 302
    team.refresh_from_db()
    assert (team.is_active, team.current_engineer) == (True, "U_ALICE")
    assert AuditLog.objects.count() == 0


def test_admin_blank_inline_row_added_and_left_empty_adds_nobody(client, operator):
    team = TeamFactory(description="before")
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    page = client.get(admin_url(Team, "change", team.pk))
    data = form_data(page, description="after")
    # "Add another", then nothing typed in it: the new row posts its defaults as shown
    blank = page.context["inline_admin_formsets"][0].formset.empty_form
    for field in blank:
        value = field.value()
        if value not in (None, False):
            data[field.html_name.replace("__prefix__", "1")] = "on" if value is True else str(value)
        if field.field.show_hidden_initial:
            hidden = field.html_initial_name.replace("__prefix__", "1")
            data[hidden] = str(field.initial)
    data["memberships-TOTAL_FORMS"] = "2"

    response = client.post(admin_url(Team, "change", team.pk), data)

    assert response.status_code == 302
    assert list(team.memberships.values_list("slack_user_id", flat=True)) == ["U_ALICE"]
    assert only_audit_row().entity_type == "team"


def test_admin_inline_removal_refused_is_shown_and_keeps_the_member(client, operator):
    team = TeamFactory(is_active=False)
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    page = client.get(admin_url(Team, "change", team.pk))

    response = client.post(
        admin_url(Team, "change", team.pk), form_data(page, **{"memberships-0-DELETE": "on"})
    )

    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert any("The team is deleted; restore it first." in e for e in formset.non_form_errors())
    assert team.memberships.filter(slack_user_id="U_ALICE").exists()
    assert AuditLog.objects.count() == 0


def test_admin_team_list_says_how_each_team_rotates(client, operator):
    TeamFactory(name="Payments", rotation_enabled=True, rotation_interval="weekly", handoff_day=0)
    TeamFactory(name="Search", rotation_enabled=False, rotation_interval="daily")

    page = client.get(admin_url(Team, "changelist")).content.decode()

    rows = {
        name: row for row in page.split("<tr") for name in ("Payments", "Search") if name in row
    }
    assert '<td class="field-rotation">Round robin, weekly on Mondays</td>' in rows["Payments"]
    assert '<td class="field-rotation">off</td>' in rows["Search"]


def test_admin_deactivate_counts_only_the_people_it_deactivates(client, operator):
    alice = Person.objects.get(slack_user_id="U_ALICE")
    bob = Person.objects.get(slack_user_id="U_BOB")
    Person.objects.filter(pk=bob.pk).update(is_active=False)
    bare_link = Person.objects.create(user=UserFactory())

    done = client.post(
        admin_url(Person, "changelist"),
        {"action": "deactivate", "_selected_action": [str(p.pk) for p in (alice, bob, bare_link)]},
        follow=True,
    )

    assert "1 deactivated; they can be named again once active." in messages_of(done)
    assert list(AuditLog.objects.values_list("entity_id", flat=True)) == [str(alice.pk)]
    bare_link.refresh_from_db()
    assert bare_link.is_active


def test_admin_directory_entry_without_a_user_keeps_its_slack_id(client, operator):
    person = Person.objects.get(slack_user_id="U_ALICE")
    assert person.user_id is None

    response = post_change(client, person, slack_user_id="U_ALINA")

    assert response.status_code == 302
    assert Person.objects.filter(pk=person.pk, slack_user_id="U_ALICE").exists()
    assert not Person.objects.filter(slack_user_id="U_ALINA").exists()

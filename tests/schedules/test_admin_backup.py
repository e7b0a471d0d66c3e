"""The backup line in the admin: set up and changed through the rotation action (role
backup), audited as the operator; schedules and overrides name their line."""

import pytest

from audit.models import AuditLog
from schedules.models import Override, Schedule
from teams.models import BackupLine
from tests.admin_support import admin_url, form_data, form_errors, login_operator
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("december_2026")


@pytest.fixture
def operator(client, db):
    return login_operator(client)


@pytest.fixture
def team(db):
    team = TeamFactory(
        name="Payments",
        rotation_enabled=True,
        rotation_start_date="2026-11-30",
        handoff_day=0,
    )
    for uid in ("U_ALICE", "U_BOB", "U_CAROL"):
        MembershipFactory(team=team, slack_user_id=uid)
    return team


def add_line(client, **fields):
    page = client.get(admin_url(BackupLine, "add"))
    return client.post(admin_url(BackupLine, "add"), form_data(page, **fields))


def test_an_operator_sets_up_a_backup_line_through_the_action(client, operator, team):
    response = add_line(
        client,
        team=str(team.pk),
        rotation_enabled="on",
        rotation_interval="weekly",
        rotation_start_date="2026-11-30",
        handoff_day="0",
    )
    assert response.status_code == 302, form_errors(response)
    line = BackupLine.objects.get(team=team)
    assert line.rotation_enabled and line.rotation_interval == "weekly"
    entry = AuditLog.objects.get(entity_type="rotation_config")
    assert (entry.actor_id, entry.metadata["source"], entry.metadata["role"]) == (
        "ops",
        "admin",
        "backup",
    )
    assert Schedule.objects.filter(team=team, role="backup", origin="auto").exists()


def test_bad_settings_are_a_form_error_and_write_nothing(client, operator, team):
    response = add_line(client, team=str(team.pk), rotation_enabled="on")
    assert response.status_code == 200 and "rotation_start_date" in form_errors(response)
    assert not BackupLine.objects.exists() and not AuditLog.objects.exists()


def test_a_change_goes_through_the_action_too(client, operator, team):
    add_line(client, team=str(team.pk), rotation_enabled="on", rotation_start_date="2026-11-30")
    line = BackupLine.objects.get()
    url = admin_url(BackupLine, "change", line.pk)
    response = client.post(url, form_data(client.get(url), rotation_interval="daily"))
    assert response.status_code == 302, form_errors(response)
    line.refresh_from_db()
    assert line.rotation_interval == "daily"
    assert AuditLog.objects.filter(metadata__role="backup").count() == 2


def test_the_backup_order_is_picked_by_name(client, operator, team):
    page = client.get(admin_url(BackupLine, "add"))
    assert b'data-picker="multiple"' in page.content
    response = add_line(
        client,
        team=str(team.pk),
        rotation_enabled="on",
        rotation_type="custom_order",
        rotation_order="Carol Diaz, U_ALICE",
        rotation_start_date="2026-11-30",
    )
    assert response.status_code == 302, form_errors(response)
    assert BackupLine.objects.get(team=team).rotation_order == ["U_CAROL", "U_ALICE"]


@pytest.mark.parametrize(
    ("model", "fields"), [(Override, {}), (Schedule, {"schedule_type": "weekly"})]
)
def test_an_override_or_schedule_added_in_the_admin_names_its_line(
    client, operator, team, model, fields
):
    page = client.get(admin_url(model, "add"))
    response = client.post(
        admin_url(model, "add"),
        form_data(
            page,
            team=str(team.pk),
            role="backup",
            engineer_slack_id="U_BOB",
            start_date="2026-12-02",
            end_date="2026-12-03",
            **fields,
        ),
    )
    assert response.status_code == 302, form_errors(response)
    assert model.objects.get().role == "backup"
    assert AuditLog.objects.get().metadata["role"] == "backup"


def test_the_bulk_action_turns_lines_off_through_the_action(client, operator, team):
    add_line(client, team=str(team.pk), rotation_enabled="on", rotation_start_date="2026-11-30")
    line = BackupLine.objects.get()
    response = client.post(
        admin_url(BackupLine, "changelist"),
        {"action": "turn_off_selected", "index": "0", "_selected_action": [str(line.pk)]},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert not line.rotation_enabled
    entry = AuditLog.objects.filter(metadata__role="backup").latest("created_at")
    assert entry.changes["rotation_enabled"] == {"old": True, "new": False}


def test_a_backup_line_is_turned_off_never_deleted(client, operator, team):
    add_line(client, team=str(team.pk), rotation_enabled="on", rotation_start_date="2026-11-30")
    line = BackupLine.objects.get()
    listing = client.get(admin_url(BackupLine, "changelist")).content.decode()

    assert 'value="delete_selected"' not in listing
    assert client.get(admin_url(BackupLine, "delete", line.pk)).status_code == 403
    assert client.post(admin_url(BackupLine, "delete", line.pk), {"post": "yes"}).status_code == 403
    assert BackupLine.objects.filter(pk=line.pk).exists()


def test_a_backup_lines_team_is_read_only_once_set_up(client, operator, team):
    add_line(client, team=str(team.pk), rotation_enabled="on", rotation_start_date="2026-11-30")
    line = BackupLine.objects.get()
    page = client.get(admin_url(BackupLine, "change", line.pk))
    assert "team" not in page.context["adminform"].form.fields
    assert "rotation_enabled" in page.context["adminform"].form.fields

"""The schedule and override admin write through the schedule actions."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from audit.models import AuditLog
from oncall_project.base import counting
from schedules.models import OnCallRecord, Override, Schedule
from tests.admin_support import (
    admin_url,
    form_data,
    form_errors,
    login_operator,
    messages_of,
    only_audit_row,
)
from tests.audit.test_paging import unbounded_counts
from tests.factories import OverrideFactory, ScheduleFactory, TeamFactory

# Written with fixed dates of December 2026: they run on that month's clock.
pytestmark = pytest.mark.usefixtures("december_2026")


@pytest.fixture
def operator(client, db):
    return login_operator(client)


def add_schedule(client, **fields):
    page = client.get(admin_url(Schedule, "add"))
    return client.post(admin_url(Schedule, "add"), form_data(page, **fields))


def test_admin_schedule_change_is_audited_once_as_the_operator(client, operator):
    schedule = ScheduleFactory(engineer_slack_id="U_ALICE")
    url = admin_url(Schedule, "change", schedule.pk)

    response = client.post(
        url, form_data(client.get(url), engineer_slack_id="U_BOB", end_date="2026-12-10")
    )

    assert response.status_code == 302
    row = only_audit_row()
    assert (row.entity_type, row.action) == ("schedule", "updated")
    assert (row.actor_type, row.actor_id, row.metadata["source"]) == ("user", "ops", "admin")
    assert row.changes == {
        "engineer_slack_id": {"old": "U_ALICE", "new": "U_BOB"},
        "end_date": {"old": "2026-12-13", "new": "2026-12-10"},
    }
    assert (row.engineer_slack_id, row.previous_engineer_slack_id) == ("U_BOB", "U_ALICE")


def test_admin_overlapping_schedule_is_a_form_error_and_writes_nothing(client, operator):
    existing = ScheduleFactory(engineer_slack_id="U_ALICE")

    response = add_schedule(
        client,
        team=str(existing.team_id),
        engineer_slack_id="U_BOB",
        start_date="2026-12-10",
        end_date="2026-12-16",
    )

    errors = form_errors(response)
    assert errors["start_date"][0].startswith(
        "Overlaps the manual schedule of Alice Nguyen (U_ALICE)"
    )
    assert "__all__" not in errors  # said once, next to the dates
    assert Schedule.objects.count() == 1
    assert AuditLog.objects.count() == 0


def test_admin_daily_schedule_takes_its_days_from_checkboxes(client, operator):
    team = TeamFactory()

    response = add_schedule(
        client,
        team=str(team.pk),
        engineer_slack_id="U_BOB",
        start_date="2026-12-07",
        end_date="2026-12-20",
        schedule_type="daily",
        days_of_week=["0", "2", "4"],
    )

    assert response.status_code == 302
    schedule = Schedule.objects.get()
    assert (schedule.days_of_week, schedule.origin, schedule.created_by) == (
        [0, 2, 4],
        "manual",
        "ops",
    )
    assert only_audit_row().action == "created"


def test_admin_schedule_delete_is_audited(client, operator):
    schedule = ScheduleFactory()

    client.post(admin_url(Schedule, "delete", schedule.pk), {"post": "yes"})

    assert not Schedule.objects.exists()
    assert only_audit_row().action == "deleted"


def test_admin_override_request_follows_the_team_approval_setting(client, operator):
    team = TeamFactory(overrides_require_approval=True)
    page = client.get(admin_url(Override, "add"))
    data = form_data(
        page,
        team=str(team.pk),
        engineer_slack_id="U_BOB",
        replaces_slack_id="U_ALICE",
        start_date="2026-12-08",
        end_date="2026-12-09",
        reason="Dentist",
    )

    assert client.post(admin_url(Override, "add"), data).status_code == 302

    assert Override.objects.get().status == "pending"
    assert only_audit_row().action == "override_requested"


def test_admin_override_approve_action_is_audited(client, operator):
    override = OverrideFactory(status="pending")

    response = client.post(
        admin_url(Override, "changelist"),
        {"action": "approve_selected", "_selected_action": [override.pk]},
        follow=True,
    )

    override.refresh_from_db()
    assert (override.status, override.approved_by) == ("approved", "ops")
    assert "Approved 1 override." in messages_of(response)
    row = only_audit_row()
    assert (row.action, row.actor_type, row.actor_id, row.metadata["source"]) == (
        "override_approved",
        "user",
        "ops",
        "admin",
    )
    assert row.changes["status"] == {"old": "pending", "new": "approved"}


def test_admin_override_reject_reports_refused_ones_and_does_the_rest(client, operator):
    pending = OverrideFactory(status="pending")
    approved = OverrideFactory(
        status="approved",
        start_date=datetime.date(2026, 12, 20),
        end_date=datetime.date(2026, 12, 21),
    )

    response = client.post(
        admin_url(Override, "changelist"),
        {"action": "reject_selected", "_selected_action": [pending.pk, approved.pk]},
        follow=True,
    )

    assert response.status_code == 200
    pending.refresh_from_db()
    approved.refresh_from_db()
    assert (pending.status, approved.status) == ("rejected", "approved")
    shown = messages_of(response)
    assert "Rejected 1 override." in shown
    assert any("An override that is approved cannot become rejected." in m for m in shown)
    assert only_audit_row().action == "override_rejected"


def test_admin_override_status_change_goes_through_the_state_machine(client, operator):
    override = OverrideFactory(status="rejected")
    url = admin_url(Override, "change", override.pk)

    response = client.post(url, form_data(client.get(url), status="approved"))

    refusal = "An override that is rejected cannot become approved."
    assert refusal in form_errors(response)["__all__"]
    override.refresh_from_db()
    assert override.status == "rejected"
    assert AuditLog.objects.count() == 0


def test_admin_override_cancel_from_the_change_form(client, operator):
    override = OverrideFactory(status="approved")
    url = admin_url(Override, "change", override.pk)

    assert client.post(url, form_data(client.get(url), status="cancelled")).status_code == 302

    override.refresh_from_db()
    assert override.status == "cancelled"
    assert only_audit_row().action == "override_cancelled"


def test_admin_overrides_cannot_be_deleted(client, operator):
    override = OverrideFactory()
    response = client.post(admin_url(Override, "delete", override.pk), {"post": "yes"})
    assert response.status_code == 403
    assert Override.objects.exists()


def test_admin_ledger_counts_to_the_cap_and_reads_no_whole_table(client, operator, monkeypatch):
    monkeypatch.setattr(counting, "COUNT_CAP", 30)
    team = TeamFactory(name="Payments")
    OnCallRecord.objects.bulk_create(
        OnCallRecord(
            team=team,
            on_call_date=datetime.date(2026, 1, 1) + datetime.timedelta(days=n),
            engineer_slack_id="U_ALICE",
            source="rotation",
        )
        for n in range(40)
    )
    url = admin_url(OnCallRecord, "changelist")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"on_call_date__gte": "2026-01-05"})
    assert response.status_code == 200
    assert unbounded_counts(queries.captured_queries) == []
    assert "more than 30 on call records" in " ".join(response.content.decode().split()).lower()
    shown = [row.on_call_date for row in response.context["cl"].result_list]
    assert shown[0] == datetime.date(2026, 2, 9) and shown == sorted(shown, reverse=True)
    assert min(shown) >= datetime.date(2026, 1, 5)


def test_admin_bulk_delete_of_schedules_audits_each_one(client, operator):
    first, second = ScheduleFactory(), ScheduleFactory()

    response = client.post(
        admin_url(Schedule, "changelist"),
        {"action": "delete_selected", "post": "yes", "_selected_action": [first.pk, second.pk]},
    )

    assert response.status_code == 302
    assert not Schedule.objects.exists()
    rows = AuditLog.objects.filter(entity_type="schedule", action="deleted")
    assert sorted(rows.values_list("entity_id", flat=True)) == sorted(
        [str(first.pk), str(second.pk)]
    )
    assert set(rows.values_list("actor_id", flat=True)) == {"ops"}


def test_admin_bulk_delete_refused_for_one_schedule_deletes_none(client, operator):
    kept = ScheduleFactory()
    of_deleted_team = ScheduleFactory(team=TeamFactory(is_active=False))

    response = client.post(
        admin_url(Schedule, "changelist"),
        {
            "action": "delete_selected",
            "post": "yes",
            "_selected_action": [kept.pk, of_deleted_team.pk],
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "The team is deleted; restore it first." in messages_of(response)
    assert Schedule.objects.count() == 2
    assert AuditLog.objects.count() == 0


def test_admin_delete_refused_by_the_action_is_a_message_on_the_schedule(client, operator):
    schedule = ScheduleFactory(team=TeamFactory(is_active=False))

    response = client.post(admin_url(Schedule, "delete", schedule.pk), {"post": "yes"}, follow=True)

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == admin_url(Schedule, "change", schedule.pk)
    assert "The team is deleted; restore it first." in messages_of(response)
    assert Schedule.objects.filter(pk=schedule.pk).exists()
    assert AuditLog.objects.count() == 0


def test_admin_schedule_saved_untouched_writes_no_audit_entry(client, operator):
    schedule = ScheduleFactory(engineer_slack_id="U_ALICE")
    url = admin_url(Schedule, "change", schedule.pk)

    assert client.post(url, form_data(client.get(url))).status_code == 302

    assert AuditLog.objects.count() == 0


def test_admin_override_reject_with_every_one_refused_reports_no_success(client, operator):
    approved = OverrideFactory(status="approved")

    response = client.post(
        admin_url(Override, "changelist"),
        {"action": "reject_selected", "_selected_action": [approved.pk]},
        follow=True,
    )

    shown = messages_of(response)
    assert shown == [f"{approved}: An override that is approved cannot become rejected."]
    assert AuditLog.objects.count() == 0


def test_admin_schedule_keeps_its_team_and_line(client, operator):
    schedule = ScheduleFactory(engineer_slack_id="U_ALICE")
    team_id, other = schedule.team_id, TeamFactory()
    url = admin_url(Schedule, "change", schedule.pk)

    response = client.post(
        url, form_data(client.get(url), team=str(other.pk), role="backup", end_date="2026-12-10")
    )

    assert response.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.team_id, schedule.role, schedule.end_date) == (
        team_id,
        "primary",
        datetime.date(2026, 12, 10),
    )
    assert only_audit_row().changes == {"end_date": {"old": "2026-12-13", "new": "2026-12-10"}}


def test_admin_override_once_requested_only_changes_its_status(client, operator):
    override = OverrideFactory(status="pending", engineer_slack_id="U_BOB")
    url = admin_url(Override, "change", override.pk)

    response = client.post(
        url,
        form_data(client.get(url), engineer_slack_id="U_CAROL", end_date="2026-12-20", reason="x"),
    )

    assert response.status_code == 302
    override.refresh_from_db()
    assert (override.engineer_slack_id, override.end_date, override.reason, override.status) == (
        "U_BOB",
        datetime.date(2026, 12, 9),
        "",
        "pending",
    )
    assert AuditLog.objects.count() == 0


def test_admin_override_saved_untouched_changes_nothing(client, operator):
    override = OverrideFactory(status="pending")
    url = admin_url(Override, "change", override.pk)

    assert client.post(url, form_data(client.get(url))).status_code == 302

    override.refresh_from_db()
    assert override.status == "pending"
    assert AuditLog.objects.count() == 0


def test_admin_override_list_shows_the_dates_and_who_decided_when(client, operator):
    override = OverrideFactory(
        status="pending",
        start_date=datetime.date(2026, 12, 8),
        end_date=datetime.date(2026, 12, 9),
    )
    client.post(
        admin_url(Override, "changelist"),
        {"action": "approve_selected", "_selected_action": [override.pk]},
    )
    override.refresh_from_db()

    page = client.get(admin_url(Override, "changelist")).content.decode()

    assert "8 Dec → 9 Dec 2026" in page
    assert f"ops, {override.decided_at:%-d %b %Y}" in page


def test_admin_override_list_filters_by_status_and_searches_the_reason(client, operator):
    pending = OverrideFactory(status="pending", reason="Dentist")
    approved = OverrideFactory(
        status="approved",
        reason="Wedding",
        start_date=datetime.date(2026, 12, 20),
        end_date=datetime.date(2026, 12, 21),
    )
    url = admin_url(Override, "changelist")

    by_status = client.get(url, {"status__exact": "pending"})
    by_reason = client.get(url, {"q": "wedding"})

    filters = [getattr(spec, "field", None) for spec in by_status.context["cl"].filter_specs]
    assert "status" in [f.name for f in filters if f is not None]  # offered beside the list
    assert [o.pk for o in by_status.context["cl"].result_list] == [pending.pk]
    assert [o.pk for o in by_reason.context["cl"].result_list] == [approved.pk]

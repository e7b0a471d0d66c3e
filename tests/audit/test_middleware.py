"""The request context: each request's id and client address go into the audit entries the
request writes, and into nothing after it."""

from audit import context
from audit.models import AuditLog
from tests.api_support import client_for
from tests.factories import TeamFactory

WEEK = {"engineer_slack_id": "U_ALICE", "start_date": "2026-12-07", "end_date": "2026-12-13"}


def test_a_change_is_audited_with_its_requests_id_and_client_address(db):
    team = TeamFactory(slug="payments")
    staff = client_for("staff")
    response = staff.post(
        "/api/v1/teams/payments/oncall-schedules/",
        WEEK,
        format="json",
        HTTP_X_REQUEST_ID="req-schedule-1",
        REMOTE_ADDR="192.0.2.7",
    )
    assert response.status_code == 201 and response["X-Request-ID"] == "req-schedule-1"
    entry = AuditLog.objects.get(team=team)
    assert (entry.metadata["request_id"], entry.metadata["ip"]) == ("req-schedule-1", "192.0.2.7")


def test_the_context_ends_with_its_request(db):
    """A thread serves many requests: the next one, or a task run on it, must not inherit this
    request's id."""
    response = client_for("member").get("/api/v1/me/", HTTP_X_REQUEST_ID="req-gone")
    assert response["X-Request-ID"] == "req-gone"
    assert context.current() == {}

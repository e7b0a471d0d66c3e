"""Who may acknowledge an escalation (escalation.acknowledgers): someone it paged, a member or
lead of a team it names, or staff; a machine token only on behalf of such a person, named in
the request, and the audit says both."""

import pytest

from audit.models import AuditLog
from escalation.actions import EscalationRequest, escalation_acknowledge, escalation_create
from escalation.models import Escalation
from oncall_project.base.actors import Actor
from teams.models import Person, Team
from tests.api_support import assert_error, client_for, make_user, session_client, token_client
from tests.factories import EscalationFactory, MembershipFactory, ServiceFactory, TeamFactory

URL = "/api/v1/escalations/"


@pytest.fixture
def escalation(db):
    """Payment's on-call is Alice (paged); Bob is a member of Payments; Dave is in Auth only."""
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=payments, slack_user_id="U_BOB")
    auth = TeamFactory(name="Auth")
    MembershipFactory(team=auth, slack_user_id="U_DAVE")
    ServiceFactory(name="Payment", team=payments)
    request = EscalationRequest(bug_id="BUG-9", services=["Payment"], channel_id="C_BUGS")
    return escalation_create(actor=None, request=request).escalation


def ack(client, escalation, **body):
    return client.post(f"{URL}{escalation.pk}/ack/", body, format="json")


def status_of(escalation) -> tuple[str, str]:
    row = Escalation.objects.get(pk=escalation.pk)
    return row.status, row.acknowledged_by


@pytest.mark.parametrize("who", ["U_ALICE", "U_BOB"])
def test_someone_paged_or_in_a_team_it_names_acknowledges(escalation, who):
    response = ack(session_client(make_user(who)), escalation)
    assert response.status_code == 200, response.content
    assert status_of(escalation) == ("acknowledged", who)


def test_someone_from_another_team_may_not(escalation):
    assert_error(ack(session_client(make_user("U_DAVE")), escalation), 403)
    assert status_of(escalation) == ("open", "")
    assert not AuditLog.objects.filter(action="acknowledged").exists()


def test_someone_not_allowed_is_refused_even_once_it_is_acknowledged(escalation):
    assert ack(session_client(make_user("U_ALICE")), escalation).status_code == 200
    assert_error(ack(session_client(make_user("U_DAVE")), escalation), 403)
    assert status_of(escalation) == ("acknowledged", "U_ALICE")


def test_staff_may_acknowledge_on_behalf_of_someone_allowed(escalation):
    response = ack(client_for("staff"), escalation, acknowledged_by="U_ALICE")
    assert response.status_code == 200, response.content
    assert status_of(escalation) == ("acknowledged", "U_ALICE")
    assert AuditLog.objects.get(action="acknowledged").metadata["on_behalf_of"] == "U_ALICE"


def test_a_person_may_acknowledge_only_as_themselves(escalation):
    assert_error(
        ack(session_client(make_user("U_DAVE")), escalation, acknowledged_by="U_ALICE"), 403
    )
    assert status_of(escalation) == ("open", "")


def test_a_person_naming_themselves_acknowledges_as_themselves(escalation):
    response = ack(session_client(make_user("U_ALICE")), escalation, acknowledged_by="U_ALICE")
    assert response.status_code == 200, response.content
    assert status_of(escalation) == ("acknowledged", "U_ALICE")


def test_a_machine_token_must_name_the_person_it_acts_for(escalation):
    body = assert_error(ack(client_for("token"), escalation), 400, "acknowledged_by")
    assert "on behalf of" in body["detail"]
    assert status_of(escalation) == ("open", "")


def test_a_machine_token_acknowledges_for_someone_allowed_and_the_audit_says_both(escalation):
    response = ack(client_for("token"), escalation, acknowledged_by="U_ALICE")

    assert response.status_code == 200, response.content
    assert response.json()["acknowledged_by"] == "U_ALICE"
    entry = AuditLog.objects.get(action="acknowledged")
    assert entry.actor_id.startswith("bot-")  # the token's user
    assert entry.metadata["on_behalf_of"] == "U_ALICE"
    assert entry.changes["acknowledged_by"] == {"old": "", "new": "U_ALICE"}


def test_a_machine_token_may_not_act_for_someone_not_allowed(escalation):
    assert_error(ack(client_for("token"), escalation, acknowledged_by="U_DAVE"), 403)
    assert status_of(escalation) == ("open", "")


def test_a_machine_token_naming_someone_nobody_knows_is_a_400(escalation):
    body = assert_error(
        ack(client_for("token"), escalation, acknowledged_by="U_ALICEE"), 400, "acknowledged_by"
    )
    assert "Did you mean" in body["errors"]["acknowledged_by"][0]


def test_staff_acknowledge_any_escalation_and_for_a_staff_person(escalation):
    staff = make_user(is_staff=True)
    Person.objects.update_or_create(slack_user_id="U_OPS", defaults={"user": staff})
    response = ack(client_for("token"), escalation, acknowledged_by="U_OPS")
    assert response.status_code == 200, response.content
    assert status_of(escalation) == ("acknowledged", "U_OPS")


def test_a_token_may_not_act_for_a_deactivated_staff_person(escalation):
    """A deactivated staff account is a Slack user like any other, as on the Slack button:
    Ops was not paged and is in none of the teams, so the token may not acknowledge for them."""
    staff = make_user(is_staff=True, is_active=False)
    Person.objects.update_or_create(slack_user_id="U_OPS", defaults={"user": staff})
    response = ack(client_for("token"), escalation, acknowledged_by="U_OPS")
    assert response.status_code == 403, response.content
    assert status_of(escalation)[0] == "open"


def test_a_member_of_any_team_the_escalation_names_acknowledges(escalation):
    """Dave is in Auth: an escalation naming Payment and then Auth is his to acknowledge too."""
    ServiceFactory(name="Auth", team=Team.objects.get(name="Auth"))
    request = EscalationRequest(bug_id="BUG-10", services=["Payment", "Auth"], channel_id="C_BUGS")
    both = escalation_create(actor=None, request=request).escalation
    response = ack(session_client(make_user("U_DAVE")), both)
    assert response.status_code == 200, response.content
    assert status_of(both) == ("acknowledged", "U_DAVE")


def test_a_staff_token_must_still_name_the_person_it_acts_for(escalation):
    body = assert_error(ack(token_client(staff=True), escalation), 400, "acknowledged_by")
    assert "on behalf of" in body["detail"]
    assert status_of(escalation) == ("open", "")


def test_the_system_acknowledging_for_someone_records_them(escalation):
    escalation_acknowledge(escalation_id=escalation.pk, actor=None, on_behalf_of="U_BOB")
    assert status_of(escalation) == ("acknowledged", "U_BOB")


def test_a_member_acknowledges_an_escalation_stored_with_services_that_are_not_text(db):
    """The services column is JSON: a row written some other way than escalation_create (an
    import, an old release) may hold a number or null beside the names. The names still say
    whose escalation it is."""
    payments = TeamFactory(name="Payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=payments, slack_user_id="U_BOB")
    ServiceFactory(name="Payment", team=payments)
    stored = EscalationFactory(services=["Payment", 3, None], channel_id="C_BUGS")
    escalation_acknowledge(escalation_id=stored.pk, actor=Actor.slack("U_BOB"))
    assert status_of(stored) == ("acknowledged", "U_BOB")

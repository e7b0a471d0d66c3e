import threading

import pytest
from django.db import connection, transaction

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden, InvalidInput
from services.actions import (
    ServiceFields,
    service_create,
    service_restore,
    service_soft_delete,
    service_update,
)
from services.models import Service
from teams.models import TeamRole
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory
from tests.locks import second_write_while_first_holds, someone_waits_on_a_lock
from tests.slow_slack import edited_while_slack_hangs


def test_service_create_audits(db, staff_actor):
    team = TeamFactory()
    service = service_create(
        actor=staff_actor,
        fields=ServiceFields(
            name="Payment",
            team=team,
            service_owner="U_BOB",
            tier="critical",
            metadata={"runbook": "https://runbooks.example/payment"},
        ),
    )
    row = AuditLog.objects.get()
    assert (row.entity_type, row.entity_id, row.team_id) == ("service", str(service.pk), team.pk)
    assert row.changes["service_owner"] == {"old": None, "new": "U_BOB"}
    assert row.changes["team"] == {"old": None, "new": str(team.pk)}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": "payment"}, "name"),
        ({"name": "New", "tier": "gold"}, "tier"),
        ({"name": "New", "service_owner": "bob"}, "service_owner"),
        ({"name": "New", "team_slack_group": "U_X"}, "team_slack_group"),
        ({"name": "New", "repository_url": "not a url"}, "repository_url"),
        ({"name": "New", "metadata": ["runbook"]}, "metadata"),
        ({"name": ""}, "name"),
    ],
)
def test_service_create_refuses_bad_input(db, staff_actor, fields, field):
    ServiceFactory(name="Payment")
    with pytest.raises(InvalidInput) as excinfo:
        service_create(actor=staff_actor, fields=ServiceFields(**fields))
    assert field in excinfo.value.errors
    assert Service.objects.count() == 1 and not AuditLog.objects.exists()


def test_a_lead_manages_their_teams_services_only(db):
    team, other = TeamFactory(), TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    service = service_create(actor=lead, fields=ServiceFields(name="Auth", team=team))
    with pytest.raises(Forbidden):
        service_create(actor=lead, fields=ServiceFields(name="Company", team=other))
    with pytest.raises(Forbidden):
        service_update(service=service, actor=lead, changes=ServiceFields(team=other))
    with pytest.raises(Forbidden):
        service_create(actor=lead, fields=ServiceFields(name="Orphan"))


def test_a_lead_may_not_take_a_service_out_of_every_team(db):
    """A service without a team is staff's: its lead may not leave it there."""
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    service = ServiceFactory(team=team)
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    with pytest.raises(Forbidden):
        service_update(service=service, actor=lead, changes=ServiceFields(team=None))
    service.refresh_from_db()
    assert service.team == team and not AuditLog.objects.exists()


def test_update_soft_delete_and_restore(db, staff_actor):
    service = ServiceFactory(name="Bill", tier="standard")
    service_update(service=service, actor=staff_actor, changes=ServiceFields(tier="critical"))
    service_soft_delete(service=service, actor=staff_actor)
    service_restore(service=service, actor=staff_actor)
    service.refresh_from_db()
    assert service.is_active and service.tier == "critical"
    actions = list(AuditLog.objects.order_by("created_at").values_list("action", flat=True))
    assert actions == ["updated", "deleted", "restored"]


def test_update_soft_delete_and_restore_audit_old_and_new_values(db, staff_actor):
    service = ServiceFactory(name="Bill", tier="standard", service_owner="U_BOB")
    service_update(
        service=service,
        actor=staff_actor,
        changes=ServiceFields(tier="critical", service_owner="U_BOB", tech_stack="Go"),
    )
    service_soft_delete(service=service, actor=staff_actor)
    service_restore(service=service, actor=staff_actor)
    changes = list(AuditLog.objects.order_by("created_at").values_list("changes", flat=True))
    assert changes == [
        {"tier": {"old": "standard", "new": "critical"}, "tech_stack": {"old": "", "new": "Go"}},
        {"is_active": {"old": True, "new": False}},
        {"is_active": {"old": False, "new": True}},
    ]


def test_every_audit_row_of_a_service_belongs_to_its_team(db, staff_actor):
    """The team's audit trail lists its services' changes: each row carries the team."""
    team = TeamFactory()
    service = service_create(actor=staff_actor, fields=ServiceFields(name="Bill", team=team))
    service_update(service=service, actor=staff_actor, changes=ServiceFields(tier="critical"))
    service_soft_delete(service=service, actor=staff_actor)
    service_restore(service=service, actor=staff_actor)
    rows = AuditLog.objects.order_by("created_at").values_list("action", "team_id")
    assert list(rows) == [
        ("created", team.pk),
        ("updated", team.pk),
        ("deleted", team.pk),
        ("restored", team.pk),
    ]


def test_an_update_that_changes_nothing_writes_no_audit_row(db, staff_actor):
    service = ServiceFactory(name="Bill", tier="critical", service_owner="U_BOB")
    service_update(
        service=service,
        actor=staff_actor,
        changes=ServiceFields(name="Bill", tier="critical", service_owner="U_BOB"),
    )
    assert not AuditLog.objects.exists()


def test_deleting_a_deleted_service_or_restoring_an_active_one_is_a_no_op(db, staff_actor):
    service = ServiceFactory()
    service_restore(service=service, actor=staff_actor)
    service_soft_delete(service=service, actor=staff_actor)
    service_soft_delete(service=service, actor=staff_actor)
    assert not Service.objects.get(pk=service.pk).is_active
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["deleted"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_lead_editing_a_service_while_staff_moves_it_away_is_refused():
    """The lead's edit waits on the service's lock for the move to commit, then finds the
    service in a team they do not lead: without the lock it would pass the check against the
    old team and save over the move."""
    payments, identity = TeamFactory(), TeamFactory()
    MembershipFactory(team=payments, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    service = ServiceFactory(team=payments, tier="standard")
    lead = Actor(id="U_LEAD", slack_user_id="U_LEAD")
    refused = []

    def edit_as_lead() -> None:
        try:
            service_update(service=service, actor=lead, changes=ServiceFields(tier="critical"))
        except Forbidden as exc:
            refused.append(exc)
        finally:
            connection.close()

    racing = threading.Thread(target=edit_as_lead)
    with transaction.atomic():
        service_update(
            service=service,
            actor=Actor(id="ops", is_staff=True),
            changes=ServiceFields(team=identity),
        )
        racing.start()
        waited = someone_waits_on_a_lock()
    racing.join(timeout=30)
    assert waited and refused
    service.refresh_from_db()
    assert (service.team, service.tier) == (identity, "standard")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_a_lead_deleting_a_service_while_staff_moves_it_away_is_refused():
    """The delete waits on the service's lock for the move to commit, then finds the service
    in a team the lead does not lead: without the lock it would delete it after the move."""
    payments, identity = TeamFactory(), TeamFactory()
    MembershipFactory(team=payments, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    service = ServiceFactory(team=payments)
    staff, lead = Actor(id="ops", is_staff=True), Actor(id="U_LEAD", slack_user_id="U_LEAD")
    waited, outcome = second_write_while_first_holds(
        lambda: service_update(service=service, actor=staff, changes=ServiceFields(team=identity)),
        lambda: service_soft_delete(service=service, actor=lead),
    )
    assert waited and len(outcome) == 1 and isinstance(outcome[0], Forbidden)
    service.refresh_from_db()
    assert (service.team, service.is_active) == (identity, True)


@pytest.mark.django_db(transaction=True)
def test_service_writes_run_in_their_own_transaction(staff_actor):
    """Outside a test's transaction, as in a request: each action opens its own (PostgreSQL
    refuses the row lock without one)."""
    service = service_create(actor=staff_actor, fields=ServiceFields(name="Bill"))
    service_update(service=service, actor=staff_actor, changes=ServiceFields(tier="critical"))
    service_soft_delete(service=service, actor=staff_actor)
    service_restore(service=service, actor=staff_actor)
    assert Service.objects.get(pk=service.pk).is_active
    assert AuditLog.objects.count() == 4


@pytest.mark.empty_directory
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("write", ["create", "update"])
def test_while_slack_is_slow_to_confirm_a_new_owner_the_service_stays_writable(fake_slack, write):
    """Slack is asked before the write's transaction (teams.slack_first): the service's lock
    (on SQLite, the database's) is not held while Slack thinks."""
    service = ServiceFactory(team=None, tier="standard")
    staff = Actor(id="ops", is_staff=True)
    fake_slack.add_user("U_NEW", "Newton")

    def name_the_owner() -> Service:
        if write == "create":
            fields = ServiceFields(name="Ledger", service_owner="U_NEW")
            return service_create(actor=staff, fields=fields)
        changes = ServiceFields(service_owner="U_NEW")
        return service_update(service=service, actor=staff, changes=changes)

    def edit() -> None:
        service_update(service=service, actor=staff, changes=ServiceFields(tier="critical"))

    done = edited_while_slack_hangs(fake_slack, "users.info", name_the_owner, edit)
    assert done and done[0].service_owner == "U_NEW"
    assert Service.objects.get(pk=service.pk).tier == "critical"

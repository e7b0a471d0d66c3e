import pytest

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


def test_update_soft_delete_and_restore(db, staff_actor):
    service = ServiceFactory(name="Bill", tier="standard")
    service_update(service=service, actor=staff_actor, changes=ServiceFields(tier="critical"))
    service_soft_delete(service=service, actor=staff_actor)
    service_restore(service=service, actor=staff_actor)
    service.refresh_from_db()
    assert service.is_active and service.tier == "critical"
    actions = list(AuditLog.objects.order_by("created_at").values_list("action", flat=True))
    assert actions == ["updated", "deleted", "restored"]

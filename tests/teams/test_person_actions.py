import pytest

from audit.models import AuditLog
from oncall_project.base.errors import Forbidden, InvalidInput
from teams.actions import person_link, person_unlink
from teams.models import Person
from tests.factories import UserFactory, person

pytestmark = pytest.mark.empty_directory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_person_link_creates_then_updates_and_audits_each(db, staff_actor):
    user = UserFactory()

    person_link(user=user, slack_user_id="U_ALICE", actor=staff_actor)
    person_link(user=user, slack_user_id="U_ALICE", actor=staff_actor)
    linked = person_link(user=user, slack_user_id="U_ALICE2", actor=staff_actor)

    assert linked.slack_user_id == "U_ALICE2"
    rows = AuditLog.objects.order_by("created_at")
    assert [(r.entity_type, r.action, r.actor_id) for r in rows] == [
        ("person", "created", "ops-admin"),
        ("person", "updated", "ops-admin"),
    ]
    assert (rows[1].engineer_slack_id, rows[1].previous_engineer_slack_id) == (
        "U_ALICE2",
        "U_ALICE",
    )


def test_person_link_with_an_empty_id_unlinks_the_slack_identity(db, staff_actor):
    linked = person("U_ALICE")
    assert person_link(user=linked.user, slack_user_id="", actor=staff_actor).slack_user_id is None


@pytest.mark.parametrize("slack_user_id", ["alice", "U_TAKEN"])
def test_person_link_refuses_a_bad_or_taken_id_and_leaves_no_trace(db, staff_actor, slack_user_id):
    person("U_TAKEN")
    with pytest.raises(InvalidInput) as excinfo:
        person_link(user=UserFactory(), slack_user_id=slack_user_id, actor=staff_actor)
    assert "slack_user_id" in excinfo.value.errors
    assert Person.objects.count() == 1
    assert AuditLog.objects.count() == 0


def test_person_link_is_for_staff_only(db, member_actor):
    with pytest.raises(Forbidden):
        person_link(user=UserFactory(), slack_user_id="U_MEMBER", actor=member_actor)


def test_person_unlink_deletes_and_audits(db, staff_actor):
    linked = person("U_ALICE")
    person_unlink(person=linked, actor=staff_actor)
    assert not Person.objects.exists()
    row = AuditLog.objects.get()
    assert row.action == "deleted"
    assert row.changes["slack_user_id"] == {"old": "U_ALICE", "new": None}


def test_person_unlink_is_for_staff_only(db, member_actor):
    """Not even the person themselves: forgetting an identity is staff's (the admin's) to do."""
    linked = person("U_MEMBER")
    with pytest.raises(Forbidden, match=r"^Only staff may do this\.$"):
        person_unlink(person=linked, actor=member_actor)
    assert Person.objects.filter(pk=linked.pk).exists() and not AuditLog.objects.exists()

import pytest
from django.db import connection

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden, InvalidInput, NotFound
from teams.actions import (
    PersonFields,
    person_ical_token_reset,
    person_link,
    person_unlink,
    person_update,
)
from teams.models import Person
from tests.factories import UserFactory, person
from tests.locks import second_write_while_first_holds

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


# A second write to a person's entry, handed a copy read before the first write
SECOND_WRITES = {
    "unlink": lambda person, actor: person_unlink(person=person, actor=actor),
    "rename": lambda person, actor: person_update(
        person=person, actor=actor, fields=PersonFields(display_name="Al")
    ),
    "new calendar link": lambda person, actor: person_ical_token_reset(person=person, actor=actor),
}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("second_write", SECOND_WRITES)
def test_a_write_that_waited_on_an_unlink_finds_the_entry_gone(second_write):
    """A double click on the admin's unlink, or an edit racing it: the second write waits on
    the entry's lock, then finds it removed: a 404 in words, not a crash, and nothing written."""
    staff = Actor(id="ops", source="test", is_staff=True)
    linked = person("U_ALICE")
    given = Person.objects.get(pk=linked.pk)  # the copy the second writer was handed
    waited, [outcome] = second_write_while_first_holds(
        lambda: person_unlink(person=linked, actor=staff),
        lambda: SECOND_WRITES[second_write](given, staff),
    )
    assert waited and isinstance(outcome, NotFound) and "removed" in str(outcome)
    assert not Person.objects.exists()
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["deleted"]

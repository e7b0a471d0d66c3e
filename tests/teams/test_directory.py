"""The people directory: its actions, its selectors and the migration that filled it."""

import datetime

import pytest

from audit.models import AuditLog
from oncall_project.base.errors import Forbidden, InvalidInput
from teams.actions import PersonFields, person_create, person_link, person_update
from teams.models import Person
from teams.selectors import names_for
from tests.factories import UserFactory
from tests.migration_support import migrate

pytestmark = pytest.mark.empty_directory


def test_names_for_answers_every_known_id_in_one_query(db, django_assert_num_queries):
    Person.objects.create(slack_user_id="U_ALICE", display_name="Alice")
    Person.objects.create(slack_user_id="U_BOB", real_name="Robert Stone")
    Person.objects.create(slack_user_id="U_ANON")

    with django_assert_num_queries(1):
        names = names_for(["U_ALICE", "U_BOB", "U_ANON", "U_NOBODY", "", "U_ALICE"])
    assert names == {"U_ALICE": "Alice", "U_BOB": "Robert Stone"}
    with django_assert_num_queries(0):
        assert names_for(["", ""]) == {}


def test_person_update_of_nothing_new_writes_no_audit(db, staff_actor):
    person = person_create(
        slack_user_id="U_ALICE", actor=staff_actor, fields=PersonFields(display_name="Alice")
    )
    person_update(person=person, actor=staff_actor, fields=PersonFields(display_name="Alice"))
    assert list(AuditLog.objects.values_list("action", flat=True)) == ["created"]


def test_person_update_refuses_a_bad_time_zone_and_keeps_the_entry(db, staff_actor):
    person = Person.objects.create(slack_user_id="U_ALICE", timezone="UTC")
    with pytest.raises(InvalidInput) as excinfo:
        person_update(person=person, actor=staff_actor, fields=PersonFields(timezone="localtime"))
    assert "timezone" in excinfo.value.errors
    assert Person.objects.get().timezone == "UTC"


def test_person_create_by_a_member_is_forbidden(db, member_actor):
    with pytest.raises(Forbidden):
        person_create(slack_user_id="U_NEW", actor=member_actor)
    assert not Person.objects.exists()


def test_linking_a_user_to_a_directory_entry_keeps_the_entry_and_its_name(db, staff_actor):
    Person.objects.create(slack_user_id="U_ALICE", display_name="Alice Nguyen")
    user = UserFactory()

    linked = person_link(user=user, slack_user_id="U_ALICE", actor=staff_actor)
    relinked = person_link(user=user, slack_user_id="U_BOB", actor=staff_actor)

    assert linked.display_name == "Alice Nguyen"
    alice = Person.objects.get(slack_user_id="U_ALICE")
    assert alice.user is None and alice.display_name == "Alice Nguyen"  # still in the directory
    assert relinked.user == user and relinked.slack_user_id == "U_BOB"


# Every app just before the directory (the schedules' latest depends on no part of it).
BEFORE_DIRECTORY = [
    ("oncall_project", "0001_repair_invalid_text"),
    ("teams", "0004_backup_line"),
    ("schedules", "0003_role"),
]


@pytest.fixture
def latest_schema_after():
    """The later tests need the latest schema, whatever happens in this one."""
    yield
    migrate()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_the_migration_fills_the_directory_from_the_data():
    old = migrate(BEFORE_DIRECTORY)
    team = old.get_model("teams", "Team").objects.create(
        name="Payments",
        slug="payments",
        oncall_engineer="U_DEFAULT",
        rotation_order=["U_ALICE", "U_ORDER"],
    )
    old.get_model("teams", "TeamMembership").objects.create(
        team=team, slack_user_id="U_ALICE", display_name="Alice"
    )
    day = datetime.date(2026, 12, 7)
    old.get_model("schedules", "Schedule").objects.create(
        team=team, engineer_slack_id="U_SCHED", start_date=day, end_date=day
    )
    old.get_model("schedules", "Override").objects.create(
        team=team,
        engineer_slack_id="U_COVER",
        replaces_slack_id="U_ALICE",
        requested_by="someone",
        start_date=day,
        end_date=day,
    )
    old.get_model("services", "Service").objects.create(name="api", service_owner="U_OWNER")
    user = old.get_model("auth", "User").objects.create(username="bob", first_name="Bob")
    old.get_model("teams", "Person").objects.create(user=user, slack_user_id="U_BOB")

    migrate()

    people = {p.slack_user_id: (p.name, p.status, p.is_active) for p in Person.objects.all()}
    assert people == {
        "U_ALICE": ("Alice", "confirmed", True),
        "U_BOB": ("Bob", "confirmed", True),
        **{
            sid: (sid, "unconfirmed", False)
            for sid in ("U_DEFAULT", "U_ORDER", "U_SCHED", "U_COVER", "U_OWNER")
        },
    }


def test_deleting_a_user_keeps_their_directory_entry_and_drops_a_bare_link(db):
    linked, bare = UserFactory(), UserFactory()
    Person.objects.create(slack_user_id="U_ALICE", display_name="Alice", user=linked)
    Person.objects.create(user=bare)  # what unlinking leaves: the user's entry, no Slack id

    linked.delete()
    bare.delete()

    assert list(Person.objects.values_list("slack_user_id", "user")) == [("U_ALICE", None)]

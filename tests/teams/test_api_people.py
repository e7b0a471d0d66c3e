"""/people/ and /people/{slack_user_id}/: the directory over the API."""

import pytest

from audit.models import AuditLog
from teams.models import Person, TeamRole
from tests.api_support import assert_error, client_for, make_user, session_client
from tests.factories import MembershipFactory, TeamFactory

pytestmark = pytest.mark.empty_directory


@pytest.fixture
def staff(db):
    return client_for("staff")


def directory(*entries: tuple[str, str], **extra) -> None:
    for slack_user_id, name in entries:
        Person.objects.create(slack_user_id=slack_user_id, display_name=name, **extra)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [p["slack_user_id"] for p in response.json()["results"]]


def test_search_matches_the_start_of_a_name_a_word_of_it_or_the_id_without_case(staff):
    directory(("U_ALICE", "Alice Nguyen"), ("U_BOB", "Bob Stone"), ("U_CAROL", "Carol Alison"))

    assert ids(staff.get("/api/v1/people/?search=ali")) == ["U_ALICE", "U_CAROL"]
    assert ids(staff.get("/api/v1/people/?search=NGU")) == ["U_ALICE"]
    assert ids(staff.get("/api/v1/people/?search=u_b")) == ["U_BOB"]
    assert ids(staff.get("/api/v1/people/?search=lice")) == []


def test_search_matches_the_start_of_the_real_name_or_a_word_of_it(staff):
    directory(("U_DAVE", "dk"), ("U_ERIN", "ew"))
    Person.objects.filter(slack_user_id="U_DAVE").update(real_name="Dave Kim")
    Person.objects.filter(slack_user_id="U_ERIN").update(real_name="Erin Wu")
    assert ids(staff.get("/api/v1/people/?search=dav")) == ["U_DAVE"]
    assert ids(staff.get("/api/v1/people/?search=wu")) == ["U_ERIN"]


def test_search_lists_the_members_of_the_team_asked_for_first(staff):
    directory(("U_ALICE", "Alice"), ("U_ALEX", "Alex"), ("U_ALF", "Alf"))
    team = TeamFactory(slug="payments")
    MembershipFactory(team=team, slack_user_id="U_ALF")

    assert ids(staff.get("/api/v1/people/?search=al")) == ["U_ALEX", "U_ALF", "U_ALICE"]
    assert ids(staff.get("/api/v1/people/?search=al&team=payments")) == [
        "U_ALF",
        "U_ALEX",
        "U_ALICE",
    ]


def test_inactive_people_are_listed_only_when_asked_for(staff):
    directory(("U_ALICE", "Alice"))
    directory(("U_GONE", "Gone"), is_active=False)

    assert ids(staff.get("/api/v1/people/")) == ["U_ALICE"]
    assert ids(staff.get("/api/v1/people/?is_active=false")) == ["U_GONE"]
    assert_error(staff.get("/api/v1/people/?is_active=maybe"), 400, "is_active")


def test_search_is_one_query_whatever_the_number_of_people(staff, django_assert_max_num_queries):
    directory(*[(f"U{n:04d}", f"Person {n}") for n in range(30)])
    TeamFactory(slug="payments")
    with django_assert_max_num_queries(6):
        assert len(ids(staff.get("/api/v1/people/?search=per&team=payments"))) == 30


def test_create_adds_a_confirmed_person_and_audits_it(staff):
    body = {"slack_user_id": "U_NEW", "display_name": "Nia Ewe", "timezone": "Europe/Berlin"}
    response = staff.post("/api/v1/people/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json() | body == response.json()
    assert response.json()["status"] == "confirmed" and response.json()["name"] == "Nia Ewe"
    entry = AuditLog.objects.get(entity_type="person")
    assert entry.action == "created" and entry.changes["display_name"]["new"] == "Nia Ewe"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slack_user_id": "alice", "display_name": "A"}, "slack_user_id"),
        ({"slack_user_id": "U_X", "timezone": "Mars/Base"}, "timezone"),
        ({"slack_user_id": "U_X", "email": "not-an-email"}, "email"),
        ({"display_name": "No id"}, "slack_user_id"),
        ({"slack_user_id": "U_X", "status": "confirmed"}, "status"),
    ],
)
def test_create_refuses_bad_input_and_writes_nothing(staff, body, field):
    assert_error(staff.post("/api/v1/people/", body, format="json"), 400, field)
    assert not Person.objects.exists() and not AuditLog.objects.exists()


def test_create_of_someone_already_there_is_a_conflict(staff):
    directory(("U_ALICE", "Alice"))
    response = staff.post("/api/v1/people/", {"slack_user_id": "U_ALICE"}, format="json")
    assert_error(response, 409, "slack_user_id")


def test_a_member_may_not_add_people_but_a_lead_may(db):
    team = TeamFactory()
    member = client_for("member", team)
    lead = client_for("lead", team)

    assert_error(member.post("/api/v1/people/", {"slack_user_id": "U_NEW"}, format="json"), 403)
    assert (
        lead.post("/api/v1/people/", {"slack_user_id": "U_NEW"}, format="json").status_code == 201
    )


def test_get_and_patch_a_person_audit_old_and_new(staff):
    directory(("U_ALICE", "Alice"))

    assert staff.get("/api/v1/people/U_ALICE/").json()["display_name"] == "Alice"
    response = staff.patch("/api/v1/people/U_ALICE/", {"real_name": "Alice Nguyen"}, format="json")

    assert response.status_code == 200 and response.json()["real_name"] == "Alice Nguyen"
    entry = AuditLog.objects.get(entity_type="person", action="updated")
    assert entry.changes == {"real_name": {"old": "", "new": "Alice Nguyen"}}
    assert_error(staff.get("/api/v1/people/U_NOBODY/"), 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"slack_user_id": "U_ALICE2"}, "slack_user_id"),
        ({"timezone": "Mars/Base"}, "timezone"),
        ({"email": "not-an-email"}, "email"),
        ({"status": "unconfirmed"}, "status"),
        ({"is_active": "maybe"}, "is_active"),
    ],
)
def test_patch_refuses_bad_input_and_changes_nothing(staff, body, field):
    """A person's Slack id names them everywhere: it is never changed, like a bad value."""
    directory(("U_ALICE", "Alice"))
    before = Person.objects.values().get()
    assert_error(staff.patch("/api/v1/people/U_ALICE/", body, format="json"), 400, field)
    assert Person.objects.values().get() == before and not AuditLog.objects.exists()


def test_a_person_id_with_a_nul_byte_is_a_404(staff):
    # PostgreSQL refuses a NUL byte in a query: a 500 there, were it looked up.
    directory(("U_ALICE", "Alice"))
    assert_error(staff.get("/api/v1/people/U%00/"), 404)
    assert_error(staff.patch("/api/v1/people/U%00/", {"real_name": "X"}, format="json"), 404)
    assert not AuditLog.objects.exists()


def test_a_person_changes_their_own_entry_but_not_someone_elses(db):
    directory(("U_ALICE", "Alice"), ("U_BOB", "Bob"))
    Person.objects.filter(slack_user_id="U_ALICE").update(user=make_user())
    alice = session_client(Person.objects.get(slack_user_id="U_ALICE").user)

    own = alice.patch("/api/v1/people/U_ALICE/", {"timezone": "Asia/Tokyo"}, format="json")
    assert own.status_code == 200 and own.json()["timezone"] == "Asia/Tokyo"
    assert_error(alice.patch("/api/v1/people/U_BOB/", {"timezone": "UTC"}, format="json"), 403)
    assert Person.objects.get(slack_user_id="U_BOB").timezone == ""


def test_a_person_may_not_reactivate_themselves(db):
    directory(("U_DAVE", "Dave"))
    Person.objects.filter(slack_user_id="U_DAVE").update(user=make_user(), is_active=False)
    dave = session_client(Person.objects.get(slack_user_id="U_DAVE").user)

    assert_error(dave.patch("/api/v1/people/U_DAVE/", {"is_active": True}, format="json"), 403)
    assert not Person.objects.get(slack_user_id="U_DAVE").is_active


def test_a_member_of_no_team_reads_the_directory(db):
    directory(("U_ALICE", "Alice"))
    reader = session_client(make_user())
    assert ids(reader.get("/api/v1/people/")) == ["U_ALICE"]
    assert reader.get("/api/v1/people/U_ALICE/").status_code == 200


def test_lead_role_counts_in_any_team_for_adding_people(db):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    lead = session_client(make_user("U_LEAD"))
    assert (
        lead.post("/api/v1/people/", {"slack_user_id": "U_NEW"}, format="json").status_code == 201
    )

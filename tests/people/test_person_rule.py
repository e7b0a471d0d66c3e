"""The one rule for every write that names a person (teams.people.person_require): someone the
directory knows goes through; someone only Slack knows joins the directory and goes through;
anyone else is a 400 on the field, naming the id, with suggestions, and nothing is written."""

import datetime

import pytest
from django.db import connection

from audit.models import AuditLog
from oncall_project.base import slack
from oncall_project.base.actors import Actor
from oncall_project.base.errors import InvalidInput
from schedules.actions import (
    OverrideFields,
    ScheduleFields,
    override_request,
    rotation_config_update,
    rotation_preview,
    schedule_create,
)
from schedules.models import Override, Schedule
from services.actions import ServiceFields, service_create, service_update
from services.models import Service
from teams.actions import (
    MembershipFields,
    RotationSettings,
    TeamFields,
    membership_upsert,
    team_create,
    team_update,
    unavailability_create,
)
from teams.models import Person, Team, TeamMembership, Unavailability
from teams.people import person_join_from_slack
from tests.factories import MembershipFactory, TeamFactory
from tests.locks import second_write_while_first_holds

pytestmark = pytest.mark.usefixtures("december_2026")

STAFF = Actor(id="ops", source="test", is_staff=True)
D = datetime.date


def _schedule(team, slack_id):
    fields = ScheduleFields(
        engineer_slack_id=slack_id, start_date=D(2026, 12, 7), end_date=D(2026, 12, 8)
    )
    schedule_create(team=team, actor=STAFF, fields=fields)


def _override(team, slack_id, field="engineer_slack_id"):
    values = {
        "engineer_slack_id": "U_ALICE",
        "start_date": D(2026, 12, 7),
        "end_date": D(2026, 12, 8),
    }
    override_request(team=team, actor=STAFF, fields=OverrideFields(**(values | {field: slack_id})))


def _team_default(team, slack_id):
    team_update(team=team, actor=STAFF, changes=TeamFields(oncall_engineer=slack_id))


def _new_team_default(team, slack_id):
    team_create(actor=STAFF, fields=TeamFields(name="Search", oncall_engineer=slack_id))


def _member(team, slack_id):
    membership_upsert(team=team, slack_user_id=slack_id, actor=STAFF, fields=MembershipFields())


def _away(team, slack_id):
    unavailability_create(
        actor=STAFF,
        slack_user_id=slack_id,
        team=team,
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 8),
    )


def _service(field):
    def write(team, slack_id):
        service_create(
            actor=STAFF, fields=ServiceFields(name="api", team=team, **{field: slack_id})
        )

    return write


def _service_changed(field):
    """An existing service (`prepare` adds it) given someone new in `field`."""

    def write(team, slack_id):
        service = Service.objects.get(name="api")
        service_update(service=service, actor=STAFF, changes=ServiceFields(**{field: slack_id}))

    return write


def _requested_by(team, slack_id):
    values = {
        "engineer_slack_id": "U_ALICE",
        "start_date": D(2026, 12, 7),
        "end_date": D(2026, 12, 8),
    }
    override_request(team=team, actor=Actor.slack(slack_id), fields=OverrideFields(**values))


# (write, the field it names the person in)
WRITES = {
    "schedule engineer": (_schedule, "engineer_slack_id"),
    "override engineer": (_override, "engineer_slack_id"),
    "override replaces": (lambda t, s: _override(t, s, "replaces_slack_id"), "replaces_slack_id"),
    "override requested_by": (_requested_by, "requested_by"),
    "team default on-call": (_team_default, "oncall_engineer"),
    "new team default on-call": (_new_team_default, "oncall_engineer"),
    "membership": (_member, "slack_user_id"),
    "time away": (_away, "slack_user_id"),
    "service owner": (_service("service_owner"), "service_owner"),
    "service primary on-call": (_service("primary_oncall"), "primary_oncall"),
    "service owner changed": (_service_changed("service_owner"), "service_owner"),
    "service primary on-call changed": (_service_changed("primary_oncall"), "primary_oncall"),
}


def prepare(case: str, team: Team, slack_id: str) -> None:
    """What a write needs before it: the override's requester is a member from before the
    directory (their row written directly), asking for an override of their team; the service
    a change names someone in is there before it."""
    if case == "override requested_by":
        TeamMembership.objects.create(team=team, slack_user_id=slack_id)
    if case.endswith("changed"):
        Service.objects.create(name="api", team=team)


def written() -> dict:
    models = (Schedule, Override, Team, TeamMembership, Unavailability, Service, AuditLog, Person)
    return {m.__name__: set(m.objects.values_list("pk", "updated_at")) for m in models}


@pytest.fixture
def team(db):
    team = TeamFactory(name="Payments", slug="payments")
    MembershipFactory(team=team, slack_user_id="U_ALICE")
    Person.objects.create(slack_user_id="U_NADIA", display_name="Nadia Ortiz")
    return team


@pytest.mark.parametrize("case", WRITES)
def test_a_person_the_directory_knows_goes_through(team, case):
    write, _ = WRITES[case]
    prepare(case, team, "U_NADIA")
    write(team, "U_NADIA")
    assert Person.objects.get(slack_user_id="U_NADIA").display_name == "Nadia Ortiz"


@pytest.mark.parametrize("case", WRITES)
def test_a_person_only_slack_knows_joins_the_directory_and_the_write_goes_through(
    team, case, fake_slack
):
    write, _ = WRITES[case]
    fake_slack.only_listed_users = True
    fake_slack.add_user("U_NEWBIE", "newbie", real_name="Nell Newbie", tz="Asia/Kolkata")
    prepare(case, team, "U_NEWBIE")

    write(team, "U_NEWBIE")

    person = Person.objects.get(slack_user_id="U_NEWBIE")
    assert (person.display_name, person.real_name, person.timezone, person.status) == (
        "newbie",
        "Nell Newbie",
        "Asia/Kolkata",
        "confirmed",
    )
    assert AuditLog.objects.filter(entity_type="person", entity_id=str(person.pk)).exists()


@pytest.mark.parametrize("case", WRITES)
def test_someone_slack_does_not_know_is_a_400_with_suggestions_and_nothing_is_written(
    team, case, fake_slack
):
    write, field = WRITES[case]
    fake_slack.only_listed_users = True
    prepare(case, team, "U_NADYA")
    before = written()

    with pytest.raises(InvalidInput) as refused:
        write(team, "U_NADYA")

    message = refused.value.errors[field][0]
    assert "U_NADYA" in message and "Did you mean Nadia Ortiz (U_NADIA)" in message
    assert written() == before


@pytest.mark.parametrize("case", WRITES)
def test_a_deactivated_slack_user_is_refused(team, case, fake_slack):
    write, field = WRITES[case]
    fake_slack.add_user("U_LEFT_CO", "gone", deleted=True)
    prepare(case, team, "U_LEFT_CO")
    before = written()
    with pytest.raises(InvalidInput) as refused:
        write(team, "U_LEFT_CO")
    assert "deactivated" in refused.value.errors[field][0]
    assert written() == before


@pytest.mark.parametrize("case", WRITES)
def test_slack_down_is_a_400_that_names_the_id_and_writes_nothing(team, case, fake_slack):
    write, field = WRITES[case]
    prepare(case, team, "U_NADYA")
    fake_slack.begin_outage()
    before = written()
    with pytest.raises(InvalidInput) as refused:
        write(team, "U_NADYA")
    message = refused.value.errors[field][0]
    assert "U_NADYA" in message and "did not answer" in message
    assert written() == before


@pytest.mark.parametrize("case", WRITES)
def test_without_slack_an_unknown_id_is_a_400_that_says_how_to_add_the_person(team, case):
    write, field = WRITES[case]
    prepare(case, team, "U_STRANGER")
    before = written()
    with pytest.raises(InvalidInput) as refused:
        write(team, "U_STRANGER")
    message = refused.value.errors[field][0]
    assert "U_STRANGER" in message and "POST /api/v1/people/" in message
    assert written() == before


def test_an_inactive_person_is_refused_until_reactivated(team):
    Person.objects.filter(slack_user_id="U_NADIA").update(is_active=False)
    with pytest.raises(InvalidInput) as refused:
        _schedule(team, "U_NADIA")
    assert "inactive" in refused.value.errors["engineer_slack_id"][0]


def test_an_unconfirmed_entry_from_old_data_is_confirmed_by_slack(team, fake_slack):
    Person.objects.create(slack_user_id="U_OLD", is_active=False, status="unconfirmed")
    fake_slack.add_user("U_OLD", "oldtimer", tz="Europe/Paris")
    _schedule(team, "U_OLD")
    person = Person.objects.get(slack_user_id="U_OLD")
    assert (person.status, person.is_active, person.timezone) == ("confirmed", True, "Europe/Paris")


def test_a_rotation_order_names_only_the_teams_members(team):
    MembershipFactory(team=team, slack_user_id="U_BOB")
    settings = RotationSettings(rotation_order=["U_ALICE", "U_NADIA", "U_STRANGER", "U_BOB"])
    before = written()
    with pytest.raises(InvalidInput) as refused:
        rotation_config_update(team=team, actor=STAFF, settings=settings)
    message = refused.value.errors["rotation_order"][0]
    assert "U_NADIA, U_STRANGER" in message and "U_ALICE" not in message
    assert written() == before
    rotation_config_update(
        team=team, actor=STAFF, settings=RotationSettings(rotation_order=["U_BOB", "U_ALICE"])
    )
    assert Team.objects.get(pk=team.pk).rotation_order == ["U_BOB", "U_ALICE"]


def test_an_unchanged_name_from_before_the_directory_does_not_block_other_changes(team):
    Service.objects.create(name="legacy", team=team, service_owner="U_UNLISTED")
    service = Service.objects.get(name="legacy")
    service_update(service=service, actor=STAFF, changes=ServiceFields(tier="critical"))
    assert Service.objects.get(pk=service.pk).tier == "critical"


def test_a_teams_default_on_call_from_before_the_directory_sent_back_unchanged_is_not_refused(
    team,
):
    """The settings page sends every field back: the default on-call it had stays accepted."""
    Team.objects.filter(pk=team.pk).update(oncall_engineer="U_UNLISTED")
    changes = TeamFields(oncall_engineer="U_UNLISTED", description="We take payments.")
    team_update(team=team, actor=STAFF, changes=changes)
    saved = Team.objects.get(pk=team.pk)
    assert (saved.oncall_engineer, saved.description) == ("U_UNLISTED", "We take payments.")


@pytest.mark.parametrize(
    "order", [["U_ALICE", "not an id"], ["U_ALICE", 5], "U_ALICE", 5, {"U_ALICE": 1}]
)
def test_a_rotation_order_that_is_not_a_list_of_ids_is_the_models_400(team, order):
    with pytest.raises(InvalidInput) as refused:
        rotation_config_update(
            team=team, actor=STAFF, settings=RotationSettings(rotation_order=order)
        )
    assert "rotation_order" in refused.value.errors


def test_text_that_is_no_slack_id_is_refused_without_echoing_what_cannot_be_encoded(team):
    with pytest.raises(InvalidInput) as refused:
        _team_default(team, "U\ud800")
    message = refused.value.errors["oncall_engineer"][0]
    message.encode("utf-8")  # never the lone surrogate itself


def test_a_preview_of_a_rotation_order_writes_nothing(team, fake_slack):
    """A member from before the directory, whom Slack knows: saving the order would add them;
    previewing it looks nobody up and writes nothing."""
    fake_slack.add_user("U_OLDHAND", "oldhand", real_name="Olga Hand")
    TeamMembership.objects.create(team=team, slack_user_id="U_OLDHAND")
    before = written()

    outcome = rotation_preview(
        team=team,
        periods=4,
        settings=RotationSettings(
            rotation_enabled=True,
            rotation_type="custom_order",
            rotation_order=["U_OLDHAND"],
            rotation_start_date=datetime.date(2026, 12, 7),
        ),
    )

    assert outcome.entries and written() == before
    assert fake_slack.calls_to("users.info") == []


def _refusal(team, slack_id) -> str:
    with pytest.raises(InvalidInput) as refused:
        _schedule(team, slack_id)
    return refused.value.errors["engineer_slack_id"][0]


def test_without_slack_someone_from_old_data_can_still_be_named(team):
    """Nobody can confirm them, so the entry data left behind is taken as it is."""
    Person.objects.create(slack_user_id="U_OLD", is_active=False, status="unconfirmed")
    _schedule(team, "U_OLD")
    assert Schedule.objects.filter(team=team, engineer_slack_id="U_OLD").exists()


def test_a_refusal_suggests_at_most_three_people(team, fake_slack):
    fake_slack.only_listed_users = True
    for sid in ("U_NADIB", "U_NADIC", "U_NADID", "U_NADIE"):
        Person.objects.create(slack_user_id=sid, display_name=f"Nadia {sid[-1]}")
    suggested = _refusal(team, "U_NADYA").split("Did you mean ")[1]
    assert suggested.count("(U_NADI") == 3


def test_a_typo_in_the_first_letters_still_suggests_the_person(team, fake_slack):
    fake_slack.only_listed_users = True
    assert "Did you mean Nadia Ortiz (U_NADIA)" in _refusal(team, "W_NADIA")


def test_an_id_like_nobodys_suggests_no_one_and_says_how_to_add_the_person(team, fake_slack):
    fake_slack.only_listed_users = True
    message = _refusal(team, "U_QQQQQQQQ")
    assert "Did you mean" not in message and "POST /api/v1/people/" in message


def test_a_two_letter_id_suggests_only_those_spelt_alike(team, fake_slack):
    """Two letters are too few to match everyone whose id starts with them."""
    fake_slack.only_listed_users = True
    Person.objects.create(slack_user_id="UQ_LONG_SURNAME", display_name="Quentin Long")
    assert "Quentin" not in _refusal(team, "UQ")


def test_an_inactive_person_is_never_suggested(team, fake_slack):
    fake_slack.only_listed_users = True
    Person.objects.filter(slack_user_id="U_NADIA").update(is_active=False)
    assert "U_NADIA" not in _refusal(team, "U_NADYA")


def test_a_time_zone_slack_gives_that_the_server_does_not_know_is_left_empty(team, fake_slack):
    fake_slack.add_user("U_NEWBIE", "newbie", tz="Mars/Olympus_Mons")
    _schedule(team, "U_NEWBIE")
    assert Person.objects.get(slack_user_id="U_NEWBIE").timezone == ""


def test_what_slack_leaves_empty_is_kept_when_it_confirms_someone(team, fake_slack):
    Person.objects.create(
        slack_user_id="U_OLD",
        display_name="oldtimer",
        real_name="Olga Timer",
        timezone="Europe/Paris",
        is_active=False,
        status="unconfirmed",
    )
    fake_slack.add_user("U_OLD", "")
    _schedule(team, "U_OLD")
    person = Person.objects.get(slack_user_id="U_OLD")
    assert (person.display_name, person.real_name, person.timezone, person.status) == (
        "oldtimer",
        "Olga Timer",
        "Europe/Paris",
        "confirmed",
    )


def test_slack_vouching_for_someone_is_audited_with_who_named_them(team, fake_slack):
    fake_slack.add_user("U_NEWBIE", "newbie")
    _schedule(team, "U_NEWBIE")
    person = Person.objects.get(slack_user_id="U_NEWBIE")
    entry = AuditLog.objects.get(entity_type="person", entity_id=str(person.pk))
    assert (entry.action, entry.actor_id, entry.engineer_slack_id) == ("created", "ops", "U_NEWBIE")
    assert entry.metadata["vouched_by"] == "slack"


def test_a_real_name_slack_gives_is_a_new_name_in_the_teams_answers(team, fake_slack):
    """Only the real name changes: the teams of the person still get a new on-call version,
    and only they: a team the person is not in keeps its kept answers."""
    other = TeamFactory(name="Search", slug="search")
    bystander = TeamFactory(name="Docs", slug="docs")
    untouched = Team.objects.get(pk=bystander.pk).oncall_version
    Person.objects.create(
        slack_user_id="U_OLD", display_name="oldtimer", is_active=False, status="unconfirmed"
    )
    TeamMembership.objects.create(team=other, slack_user_id="U_OLD")
    version = Team.objects.get(pk=other.pk).oncall_version
    fake_slack.add_user("U_OLD", "", real_name="Olga Timer")
    _schedule(team, "U_OLD")
    assert Team.objects.get(pk=other.pk).oncall_version == version + 1
    assert Team.objects.get(pk=bystander.pk).oncall_version == untouched


def test_resending_a_name_from_before_the_directory_does_not_block_other_changes(team):
    """A form sends every field back: the unchanged owner is not checked again."""
    Service.objects.create(name="legacy", team=team, service_owner="U_UNLISTED")
    service = Service.objects.get(name="legacy")
    changes = ServiceFields(tier="critical", service_owner="U_UNLISTED")
    service_update(service=service, actor=STAFF, changes=changes)
    assert Service.objects.get(pk=service.pk).tier == "critical"


def test_a_rotation_order_keeps_someone_from_before_the_directory_it_already_held(team):
    TeamMembership.objects.create(team=team, slack_user_id="U_OLDHAND")
    Team.objects.filter(pk=team.pk).update(rotation_order=["U_OLDHAND"])
    team.refresh_from_db()
    settings = RotationSettings(rotation_order=["U_ALICE", "U_OLDHAND"])
    rotation_config_update(team=team, actor=STAFF, settings=settings)
    assert Team.objects.get(pk=team.pk).rotation_order == ["U_ALICE", "U_OLDHAND"]


def test_every_inactive_member_put_in_the_rotation_order_is_refused(team):
    for sid in ("U_BOB", "U_CARA"):
        MembershipFactory(team=team, slack_user_id=sid)
        Person.objects.update_or_create(
            slack_user_id=sid, defaults={"display_name": sid, "is_active": False}
        )
    settings = RotationSettings(rotation_order=["U_ALICE", "U_BOB", "U_CARA"])
    with pytest.raises(InvalidInput) as refused:
        rotation_config_update(team=team, actor=STAFF, settings=settings)
    errors = refused.value.errors["rotation_order"]
    assert len(errors) == 2 and all("inactive" in error for error in errors)


def test_slack_confirming_someone_from_old_data_is_audited_as_an_update(team, fake_slack):
    Person.objects.create(slack_user_id="U_OLD", is_active=False, status="unconfirmed")
    fake_slack.add_user("U_OLD", "oldtimer")
    _schedule(team, "U_OLD")
    person = Person.objects.get(slack_user_id="U_OLD")
    entry = AuditLog.objects.get(entity_type="person", entity_id=str(person.pk))
    assert (entry.action, entry.changes["status"]) == (
        "updated",
        {"old": "unconfirmed", "new": "confirmed"},
    )


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.empty_directory
def test_two_people_naming_the_same_newcomer_at_once_add_them_once():
    """Two writes name someone only Slack knows, at the same moment: the second waits for the
    first to add them, then finds them there: no 409 for a clash nobody made, one entry, one
    audit entry."""
    newcomer = slack.SlackUser(
        id="U_NEWBIE", display_name="newbie", real_name="New Bee", timezone="", deleted=False
    )
    lead = Actor(id="U_LEAD", source="test", slack_user_id="U_LEAD")
    waited, [outcome] = second_write_while_first_holds(
        lambda: person_join_from_slack(user=newcomer, actor=STAFF),
        lambda: person_join_from_slack(user=newcomer, actor=lead),
    )
    assert waited and isinstance(outcome, Person) and outcome.real_name == "New Bee"
    assert list(Person.objects.values_list("slack_user_id", flat=True)) == ["U_NEWBIE"]
    entries = AuditLog.objects.filter(entity_type="person")
    assert list(entries.values_list("action", "actor_id")) == [("created", "ops")]

"""Slack confirming a directory entry while others write: it waits for a lead's edit of the
entry and keeps it, and two different newcomers are added at once without waiting on each
other."""

import pytest
from django.db import connection

from oncall_project.base import slack
from oncall_project.base.actors import Actor
from teams.actions import PersonFields, person_update
from teams.models import Person
from teams.people import person_join_from_slack
from tests.locks import second_write_beside_first, second_write_while_first_holds

STAFF = Actor(id="ops", source="test", is_staff=True)

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
    pytest.mark.empty_directory,
]


def slack_user(slack_user_id: str, real_name: str) -> slack.SlackUser:
    return slack.SlackUser(
        id=slack_user_id, display_name="", real_name=real_name, timezone="", deleted=False
    )


def test_slack_confirming_someone_while_a_lead_edits_them_keeps_the_edit():
    person = Person.objects.create(slack_user_id="U_OLD", display_name="old", status="unconfirmed")
    waited, [outcome] = second_write_while_first_holds(
        lambda: person_update(
            person=person, actor=STAFF, fields=PersonFields(email="old@example.com")
        ),
        lambda: person_join_from_slack(user=slack_user("U_OLD", "Old Timer"), actor=None),
    )
    assert waited and isinstance(outcome, Person)
    row = Person.objects.get(slack_user_id="U_OLD")
    assert (row.email, row.real_name, row.status) == ("old@example.com", "Old Timer", "confirmed")


def test_two_different_newcomers_are_added_at_once_without_waiting_for_each_other():
    finished, [other] = second_write_beside_first(
        lambda: person_join_from_slack(user=slack_user("U_ONE", "One"), actor=None),
        lambda: person_join_from_slack(user=slack_user("U_TWO", "Two"), actor=None),
    )
    assert finished and isinstance(other, Person)
    assert sorted(Person.objects.values_list("slack_user_id", flat=True)) == ["U_ONE", "U_TWO"]

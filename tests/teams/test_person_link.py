"""Linking your own account to Slack: Slack vouches for you through `/oncall link`."""

import re

import pytest

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden, InvalidInput
from teams import slack_proof
from teams.actions import person_link_with_proof
from teams.models import Person
from tests.escalation.test_slack_views import SECRET, signed_post
from tests.factories import UserFactory, person

pytestmark = pytest.mark.empty_directory


@pytest.fixture(autouse=True)
def signing_secret(settings):
    from django.core.cache import cache

    settings.SLACK_SIGNING_SECRET = SECRET
    cache.clear()


def test_the_slack_link_links_the_signed_in_user(client, db):
    reply = signed_post(client, "/slack/commands/", {"text": "link", "user_id": "U_NEW"}).json()
    url = re.search(r"http://testserver(/profile/link/\S+/)", reply["text"]).group(1)
    user = UserFactory()
    client.force_login(user)
    page = client.get(url)
    assert page.status_code == 200 and b"U_NEW" in page.content
    assert not Person.objects.exists()  # a GET changes nothing
    assert client.post(url).status_code == 302
    assert Person.objects.get(user=user).slack_user_id == "U_NEW"
    row = AuditLog.objects.get(entity_type="person")
    assert (row.actor_type, row.engineer_slack_id) == ("user", "U_NEW")


def test_a_tampered_or_expired_proof_links_nothing(db, monkeypatch):
    user = UserFactory()
    me = Actor(id=user.username, user_id=user.pk)
    forged = slack_proof.issue("U_VICTIM")[:-2] + "xx"
    with pytest.raises(InvalidInput):
        person_link_with_proof(user=user, proof=forged, actor=me)
    monkeypatch.setattr(slack_proof, "MAX_AGE_SECONDS", -1)
    with pytest.raises(InvalidInput):
        person_link_with_proof(user=user, proof=slack_proof.issue("U_ME"), actor=me)
    assert not Person.objects.exists() and not AuditLog.objects.exists()


def test_nobody_links_someone_elses_account(db):
    user, intruder = UserFactory(), UserFactory()
    with pytest.raises(Forbidden):
        person_link_with_proof(
            user=user,
            proof=slack_proof.issue("U_X"),
            actor=Actor(id=intruder.username, user_id=intruder.pk),
        )


def test_a_slack_user_already_linked_elsewhere_is_refused(db):
    person("U_TAKEN")
    user = UserFactory()
    with pytest.raises(InvalidInput):
        person_link_with_proof(
            user=user,
            proof=slack_proof.issue("U_TAKEN"),
            actor=Actor(id=user.username, user_id=user.pk),
        )
    assert Person.objects.count() == 1


def test_an_expired_link_page_says_so(client, db):
    client.force_login(UserFactory())
    assert b"expired or is not valid" in client.get("/profile/link/not-a-proof/").content

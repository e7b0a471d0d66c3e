import pytest

from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.errors import Forbidden
from teams.actions import person_ical_token_reset, team_ical_token_reset
from teams.models import Person, TeamRole
from tests.factories import MembershipFactory, TeamFactory, person


def test_a_lead_renews_the_team_feed_and_the_audit_never_shows_the_secret(db):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    old = team.ical_token
    renewed = team_ical_token_reset(team=team, actor=Actor(id="U_LEAD", slack_user_id="U_LEAD"))
    assert renewed.ical_token != old
    row = AuditLog.objects.get()
    assert old not in str(row.changes) and renewed.ical_token not in str(row.changes)
    with pytest.raises(Forbidden):
        team_ical_token_reset(team=team, actor=Actor(id="U_X", slack_user_id="U_X"))


def test_a_deleted_teams_feed_may_still_be_renewed(db):
    """Renewing only ever closes a feed: an archived team's leaked link can be cut off."""
    team = TeamFactory(is_active=False)
    old = team.ical_token
    renewed = team_ical_token_reset(team=team, actor=Actor(id="ops", is_staff=True))
    assert renewed.ical_token != old
    assert AuditLog.objects.get().action == "ical_token_reset"


def test_a_person_renews_their_own_feed_only(db):
    me, other = person("U_ME"), person("U_OTHER")
    old = me.ical_token
    actor = Actor(id="U_ME", user_id=me.user_id, slack_user_id="U_ME")
    assert person_ical_token_reset(person=me, actor=actor).ical_token != old
    with pytest.raises(Forbidden):
        person_ical_token_reset(person=other, actor=actor)
    assert Person.objects.get(pk=other.pk).ical_token == other.ical_token


def test_a_directory_entry_without_an_account_is_nobody_s_own(db):
    # A Slack actor has no account id, nor has an entry the directory holds without one:
    # None is not a match, or anyone on Slack could renew such an entry's calendar link.
    entry = Person.objects.create(slack_user_id="U_NOACCOUNT", display_name="No Account")
    with pytest.raises(Forbidden, match=r"Only you, or staff, may renew your calendar link\."):
        person_ical_token_reset(person=entry, actor=Actor.slack("U_SOMEONE"))
    assert Person.objects.get(pk=entry.pk).ical_token == entry.ical_token
    assert not AuditLog.objects.exists()


def test_the_old_feed_url_stops_working_after_a_renewal(client, db):
    me = person("U_ME")
    client.force_login(me.user)
    old_url = f"/ical/user/U_ME.ics?token={me.ical_token}"
    assert client.get(old_url).status_code == 200
    assert client.post("/profile/ical-reset/").status_code == 302
    assert client.get(old_url).status_code == 404
    me.refresh_from_db()
    assert client.get(f"/ical/user/U_ME.ics?token={me.ical_token}").status_code == 200


def test_renewing_a_team_feed_from_the_page_needs_a_lead(client, db):
    team = TeamFactory(slug="payments")
    member = person("U_MEMBER")
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    client.force_login(member.user)
    assert client.post("/teams/payments/ical-reset/").status_code == 403

"""Who may do what on a team: the one rule every page, API and Slack handler asks."""

import pytest

from oncall_project.base.actors import Actor
from teams.models import TeamRole
from teams.permissions import team_access
from tests.factories import MembershipFactory, TeamFactory

SYSTEM = None
STAFF = Actor(id="ops-admin", is_staff=True)
LEAD = Actor(id="U_LEAD", slack_user_id="U_LEAD")
MEMBER = Actor(id="U_MEMBER", slack_user_id="U_MEMBER")
LEAD_ELSEWHERE = Actor(id="U_OTHER_LEAD", slack_user_id="U_OTHER_LEAD")
UNLINKED = Actor(id="web-7", source="page")


@pytest.mark.parametrize(
    ("actor", "member", "manages", "requests_overrides", "sees_secrets"),
    [
        (SYSTEM, False, True, True, True),
        (STAFF, False, True, True, True),
        (LEAD, True, True, True, True),
        (MEMBER, True, False, True, True),
        (LEAD_ELSEWHERE, False, False, False, False),
        (UNLINKED, False, False, False, False),
    ],
    ids=["system", "staff", "lead", "member", "lead_elsewhere", "unlinked"],
)
def test_team_access_follows_role_on_that_team(
    db, actor, member, manages, requests_overrides, sees_secrets
):
    team = TeamFactory()
    MembershipFactory(team=team, slack_user_id="U_LEAD", team_role=TeamRole.LEAD)
    MembershipFactory(team=team, slack_user_id="U_MEMBER")
    MembershipFactory(slack_user_id="U_OTHER_LEAD", team_role=TeamRole.LEAD)
    access = team_access(actor, team)
    assert (access.is_member, access.can_manage) == (member, manages)
    assert (access.can_request_override, access.can_see_secrets) == (
        requests_overrides,
        sees_secrets,
    )

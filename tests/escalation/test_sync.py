import pytest

from audit.models import AuditLog
from oncall_project.base.errors import DomainError
from teams.models import TeamMembership
from teams.slack_sync import sync_team_from_slack
from tests.factories import MembershipFactory, TeamFactory


def test_sync_adds_newcomers_and_marks_leavers_without_losing_their_metadata(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    MembershipFactory(team=team, slack_user_id="U_ALICE", weight=2.0)
    MembershipFactory(team=team, slack_user_id="U_GONE", weight=3.0)
    fake_slack.usergroups["S_PAY"] = ["U_ALICE", "U_NEW"]
    outcome = sync_team_from_slack(team=team, actor=None)
    assert outcome == {"added": ["U_NEW"], "returned": ["U_ALICE"], "gone": ["U_GONE"]}
    rows = {m.slack_user_id: m for m in TeamMembership.objects.filter(team=team)}
    assert rows["U_GONE"].in_slack_group is False and rows["U_GONE"].weight == 3.0
    assert rows["U_NEW"].in_slack_group is True and rows["U_NEW"].weight == 1.0
    assert AuditLog.objects.filter(action="synced_from_slack").count() == 1
    audited = AuditLog.objects.count()  # the sync, and the newcomer's display name
    sync_team_from_slack(team=team, actor=None)  # nothing changed: no further audit row
    assert AuditLog.objects.count() == audited == 2


def test_sync_without_a_group_is_refused(db, fake_slack):
    with pytest.raises(DomainError, match="no Slack user group"):
        sync_team_from_slack(team=TeamFactory(), actor=None)


def test_sync_when_slack_fails_changes_nothing(db, fake_slack):
    team = TeamFactory(slack_group_id="S_PAY")
    fake_slack.script(200, {"ok": False, "error": "no_such_subteam"})
    with pytest.raises(DomainError, match="no_such_subteam"):
        sync_team_from_slack(team=team, actor=None)
    assert not TeamMembership.objects.exists()

import datetime

import pytest

UTC = datetime.UTC
# Tuesday 1 December 2026, 12:00 UTC: inside the rotation period that began Monday 30 November.
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def rotating_team(db):
    from teams.models import TeamRole
    from tests.factories import MembershipFactory, TeamFactory

    team = TeamFactory(
        name="Payments",
        slug="payments",
        slack_channel_id="C_PAY",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=datetime.date(2026, 11, 30),
        lookahead_periods=4,
    )
    for n, uid in enumerate(["U_ALICE", "U_BOB", "U_CAROL"]):
        MembershipFactory(
            team=team,
            slack_user_id=uid,
            joined_at=datetime.date(2026, 1, 1 + n),
            team_role=TeamRole.LEAD if uid == "U_ALICE" else TeamRole.MEMBER,
        )
    return team

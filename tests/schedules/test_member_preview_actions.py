"""`member_change_preview` called directly, as the pages call it: it checks what the API's
serializer would have checked for it."""

import datetime

import pytest
from django.utils import timezone

from oncall_project.base.errors import InvalidInput
from schedules.actions.member_preview import MemberChange, member_change_preview
from schedules.actions.rotation import rotation_generate, rotation_preview
from teams.actions import membership_upsert
from teams.models import Person, Team, TeamMembership
from tests.factories import OverrideFactory
from tests.schedules.conftest import NOW
from tests.schedules.test_api_backup import payments_of_four

D = datetime.date


@pytest.mark.parametrize("periods", [0, 105, True])
def test_a_member_preview_of_periods_out_of_range_is_refused(db, periods):
    with pytest.raises(InvalidInput) as refused:
        member_change_preview(
            team=payments_of_four(), periods=periods, change=MemberChange("U_BOB", {"weight": 2.0})
        )
    assert "periods" in refused.value.errors


def test_a_member_preview_gives_a_period_to_whoever_holds_it_whole(rotating_team, staff_actor):
    """Alice's approved override holds the week of 7 December whole: a preview of Bob leaving
    shows that week as Alice's, as the team resolves once the removal is saved, not as the turn
    the rotation would give Carol."""
    rotation_generate(team=rotating_team, actor=staff_actor, periods=4, now=NOW)
    OverrideFactory(
        team=rotating_team,
        engineer_slack_id="U_ALICE",
        start_date=D(2026, 12, 7),
        end_date=D(2026, 12, 13),
        status="approved",
    )
    preview = member_change_preview(
        team=rotating_team, periods=3, now=NOW, change=MemberChange("U_BOB", remove=True)
    )
    assert [(p.start_date, p.engineer) for p in preview.entries][:2] == [
        (D(2026, 11, 30), "U_ALICE"),
        (D(2026, 12, 7), "U_ALICE"),
    ]


def test_a_member_preview_names_a_member_changed_as_the_team_names_them(rotating_team):
    """Bob's membership has no name of its own: the warning about making him ineligible names
    him from the people directory, as the team's other warnings do."""
    TeamMembership.objects.filter(team=rotating_team, slack_user_id="U_BOB").update(display_name="")
    Person.objects.filter(slack_user_id="U_BOB").update(display_name="Bobby")
    change = MemberChange("U_BOB", {"is_eligible_for_oncall": False})
    preview = member_change_preview(team=rotating_team, periods=2, now=NOW, change=change)
    assert "Bobby (U_BOB) is not eligible for on-call: the rotation skips them." in (
        preview.warnings
    )


def test_a_member_preview_of_someone_new_places_them_as_saving_them_does(rotating_team):
    """Dave joins today: he takes his turns after the members who joined before him, in the
    preview as in the plan his addition saves."""
    now = timezone.now()
    preview = member_change_preview(
        team=rotating_team, periods=4, now=now, change=MemberChange("U_DAVE")
    )
    membership_upsert(team=rotating_team, slack_user_id="U_DAVE", actor=None)
    team = Team.objects.get(pk=rotating_team.pk)
    after = rotation_preview(team=team, periods=4, now=now)
    assert [(p.start_date, p.engineer) for p in preview.entries] == [
        (p.start_date, p.engineer) for p in after.entries
    ]


def test_a_member_preview_of_a_field_the_write_refuses_is_refused(rotating_team):
    """The pages call the preview with what the form gave: a weight the membership write
    refuses is refused here too, by field."""
    with pytest.raises(InvalidInput) as refused:
        member_change_preview(
            team=rotating_team, periods=2, now=NOW, change=MemberChange("U_BOB", {"weight": -1.0})
        )
    assert "weight" in refused.value.errors

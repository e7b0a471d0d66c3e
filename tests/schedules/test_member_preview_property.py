"""A membership change's preview plans what its save then plans, whatever the team: random
rosters (eligibility on each line, weights, join dates), rotation types and intervals, a
backup line or none, and a random change (added, changed or removed). Each example builds its
team inside a savepoint and rolls it back."""

import datetime

from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncall_project.base.outbox.models import Notification
from schedules.actions import rotation_config_update, rotation_generate, rotation_preview
from schedules.actions.member_preview import MemberChange, member_change_preview
from schedules.messages import shifts_moved_message
from schedules.models import Role
from teams.actions import MembershipFields, RotationSettings, membership_remove, membership_upsert
from teams.models import Person, Team
from tests.factories import MembershipFactory, TeamFactory

PEOPLE = [f"U_P{n}" for n in range(7)]
PERIODS = 10
LOOKAHEAD = 4  # each line's: what a save re-plans, and whom it tells
JOINED = st.dates(datetime.date(2025, 1, 1), datetime.date(2026, 11, 1))
MEMBER = st.fixed_dictionaries(
    {
        "is_eligible_for_oncall": st.booleans(),
        "is_eligible_for_backup": st.booleans(),
        "weight": st.sampled_from([0.5, 1.0, 2.0, 3.0]),
        "joined_at": JOINED,
    }
)
LINE = st.fixed_dictionaries(
    {
        "rotation_type": st.sampled_from(["round_robin", "weighted", "custom_order"]),
        "rotation_interval": st.sampled_from(["daily", "weekly", "biweekly"]),
        "handoff_day": st.sampled_from([None, 0, 2]),
        "handoff_time": st.sampled_from([datetime.time(9), datetime.time(18)]),
        "start_weeks_back": st.integers(0, 30),
    }
)


def _settings(line: dict, order: list[str]) -> RotationSettings:
    line = dict(line)
    start = timezone.localdate() - datetime.timedelta(weeks=line.pop("start_weeks_back"))
    if line["rotation_interval"] == "daily":
        line["handoff_day"] = None
    return RotationSettings(
        rotation_enabled=True,
        rotation_start_date=start,
        rotation_order=order if line["rotation_type"] == "custom_order" else [],
        lookahead_periods=LOOKAHEAD,
        **line,
    )


@st.composite
def teams_and_changes(draw):
    roster = draw(st.dictionaries(st.sampled_from(PEOPLE), MEMBER, min_size=2, max_size=6))
    order = draw(st.permutations(sorted(roster)))
    primary, backup = draw(LINE), draw(st.none() | LINE)
    kind = draw(st.sampled_from(["change", "remove", "add"]))
    if kind == "add":
        newcomers = [p for p in PEOPLE if p not in roster]
        who = draw(st.sampled_from(newcomers))
        fields = draw(MEMBER)
    else:
        who = draw(st.sampled_from(sorted(roster)))
        values = draw(MEMBER)
        changed = draw(st.sets(st.sampled_from(sorted(values)), min_size=1))
        fields = {name: values[name] for name in changed}
    return roster, list(order), primary, backup, kind, who, fields


def _build(roster, order, primary, backup) -> Team:
    team = TeamFactory(name="Property", slug="property")
    for who, fields in roster.items():
        MembershipFactory(team=team, slack_user_id=who, **fields)
    rotation_config_update(team=team, actor=None, settings=_settings(primary, order))
    rotation_generate(team=Team.objects.get(pk=team.pk), actor=None, periods=6)
    if backup is not None:
        rotation_config_update(
            team=Team.objects.get(pk=team.pk),
            actor=None,
            settings=_settings(backup, order),
            role=Role.BACKUP,
        )
    return Team.objects.get(pk=team.pk)


def _save(team: Team, kind: str, who: str, fields: dict) -> None:
    if kind == "remove":
        membership_remove(team=team, slack_user_id=who, actor=None)
    else:
        membership_upsert(
            team=team, slack_user_id=who, actor=None, fields=MembershipFields(**fields)
        )


def _plan(outcome) -> list[tuple]:
    return [(p.start_date, p.end_date, p.engineer) for p in outcome.entries]


def _messages(team: Team, outcome, role: str) -> dict[str, str]:
    """Engineer → what the save should tell them, from a preview's impact."""
    impact = outcome.impact
    return {
        who: shifts_moved_message(
            team_id=team.pk,
            team_name=team.name,
            engineer=who,
            gained=impact.gains.get(who, ()),
            lost=impact.losses.get(who, ()),
            change_key="",
            role=role,
        ).text
        for who in impact.affected
    }


def _told(role: str) -> dict[str, str]:
    """Engineer → what the save queued for them about the `role` line."""
    notes = Notification.objects.filter(kind="shifts_moved")
    backup = {n for n in notes if ":backup:" in n.idempotency_key}
    mine = backup if role == Role.BACKUP else set(notes) - backup
    return {n.channel: n.text for n in mine}


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=teams_and_changes())
def test_a_member_change_previews_exactly_what_its_save_plans(db, case):
    roster, order, primary, backup, kind, who, fields = case
    for person in PEOPLE:
        Person.objects.get_or_create(slack_user_id=person)
    with transaction.atomic():  # rolled back below, or by a failure
        team = _build(roster, order, primary, backup)
        roles = [Role.PRIMARY] + ([Role.BACKUP] if backup is not None else [])
        change = MemberChange(who, {} if kind == "remove" else fields, remove=kind == "remove")
        previews = {
            (role, periods): member_change_preview(
                team=team, periods=periods, change=change, role=role
            )
            for role in roles
            for periods in (PERIODS, LOOKAHEAD)
        }
        Notification.objects.all().delete()
        _save(team, kind, who, fields)
        team = Team.objects.get(pk=team.pk)
        for role in roles:
            saved = rotation_preview(team=team, periods=PERIODS, role=role)
            assert _plan(previews[role, PERIODS]) == _plan(saved), (role, case)
            # whom the preview says the change moves is whom the save tells, in the same words
            assert _messages(team, previews[role, LOOKAHEAD], role) == _told(role), (role, case)
        transaction.set_rollback(True)

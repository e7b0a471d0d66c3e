"""How "who is on call for…" lists the fallback chain, line by line (pure: no database), and
the names its search box suggests."""

import datetime

from schedules.domain import Assignment, ServiceInfo, Source, resolve_service, resolve_team
from services.selectors.who import chain_lines, suggestions
from tests.factories import ServiceFactory, TeamFactory

DAY = datetime.date(2026, 12, 8)


def lines(answer, *, team_only=False) -> list[tuple[str, str, str]]:
    return [
        (line.label, line.value, line.state) for line in chain_lines(answer, team_only=team_only)
    ]


def test_a_service_answered_by_its_teams_rotation():
    info = ServiceInfo(
        "Payment",
        Assignment("U_ALICE", Source.ROTATION, DAY),
        service_owner="U_BOB",
        team_slack_group="S_PAY",
        team_default="U_LEAD",
    )
    assert lines(resolve_service(info)) == [
        ("An approved override covering that day", "", "skipped"),
        ("A manual schedule covering that day", "", "skipped"),
        ("The rotation (its schedules)", "", "answered"),
        ("The team's default on-call engineer", "U_LEAD", "not_needed"),
        ("The service's primary on-call", "", "not_needed"),
        ("The service owner", "U_BOB", "not_needed"),
        ("The team's Slack group", "S_PAY", "not_needed"),
        ("The service's Slack group", "", "not_needed"),
    ]


def test_a_service_without_a_team_says_so_first_then_falls_back():
    info = ServiceInfo("Legacy", None, service_team_slack_group="S_OLD")
    assert lines(resolve_service(info)) == [
        ("The service's team", "no team", "skipped"),
        ("The service's primary on-call", "", "skipped"),
        ("The service owner", "", "skipped"),
        ("The team's Slack group", "", "skipped"),
        ("The service's Slack group", "S_OLD", "answered"),
    ]


def test_a_team_lists_its_layers_only_even_in_a_gap():
    answer = resolve_team(Assignment(None, Source.NONE, DAY), default=None, slack_group="S_PAY")
    assert lines(answer, team_only=True) == [
        ("An approved override covering that day", "", "skipped"),
        ("A manual schedule covering that day", "", "skipped"),
        ("The rotation (its schedules)", "", "skipped"),
        ("The team's default on-call engineer", "", "skipped"),
    ]


def test_a_service_without_a_team_or_anyone_still_says_it_has_no_team():
    assert lines(resolve_service(ServiceInfo("Legacy", None))) == [
        ("The service's team", "no team", "skipped"),
        ("The service's primary on-call", "", "skipped"),
        ("The service owner", "", "skipped"),
        ("The team's Slack group", "", "skipped"),
        ("The service's Slack group", "", "skipped"),
    ]


def test_suggestions_are_in_alphabetical_order_whatever_the_case(db):
    TeamFactory(name="Beta", slug="beta")
    ServiceFactory(name="alpha", team=None)
    ServiceFactory(name="Charlie", team=None)
    assert suggestions() == ["alpha", "Beta", "Charlie"]

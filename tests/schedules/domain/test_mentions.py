import pytest

from schedules.domain import (
    Assignment,
    DomainError,
    ServiceInfo,
    Source,
    build_mentions,
    mention_for,
    resolve_service,
)

from .builders import day

ALICE_ON_CALL = Assignment("U_ALICE", Source.TEAM_DEFAULT, day(0))


def test_services_of_one_team_mention_its_on_call_once():
    # The original plan: Payment (owner U_BOB) and Bill (owner U_CAROL), both of team
    # Payments whose on-call is U_ALICE.
    payment = ServiceInfo(
        "Payment", ALICE_ON_CALL, service_owner="U_BOB", team_slack_group="S0PAYMENTS"
    )
    bill = ServiceInfo(
        "Bill", ALICE_ON_CALL, service_owner="U_CAROL", team_slack_group="S0PAYMENTS"
    )
    answers = [resolve_service(payment), resolve_service(bill)]
    assert [(a.service, a.target, a.kind, a.source) for a in answers] == [
        ("Payment", "U_ALICE", "user", "team_default"),
        ("Bill", "U_ALICE", "user", "team_default"),
    ]
    assert build_mentions(answers) == ["<@U_ALICE>"]


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        (
            ServiceInfo("s", Assignment("U1", Source.OVERRIDE, day(0)), "UP", "UO", "S1", "S2"),
            ("U1", "user", "override"),
        ),
        (
            ServiceInfo("s", Assignment("U1", Source.ROTATION, day(0)), "UP"),
            ("U1", "user", "rotation"),
        ),
        (
            ServiceInfo("s", Assignment(None, Source.NONE, day(0)), "UP", "UO", "S1", "S2"),
            ("UP", "user", "primary_oncall"),
        ),
        (ServiceInfo("s", None, None, "UO", "S1", "S2"), ("UO", "user", "service_owner")),
        (ServiceInfo("s", None, None, None, "S1", "S2"), ("S1", "group", "slack_group")),
        (ServiceInfo("s", None, None, None, None, "S2"), ("S2", "group", "slack_group")),
        (ServiceInfo("s"), (None, None, "none")),
    ],
)
def test_a_service_falls_back_in_order(info, expected):
    answer = resolve_service(info)
    assert (answer.target, answer.kind, answer.source) == expected


def test_mentions_keep_order_deduplicate_and_tag_groups():
    answers = [
        resolve_service(ServiceInfo("a", None, "U2")),
        resolve_service(ServiceInfo("b", None, team_slack_group="S9")),
        resolve_service(ServiceInfo("c")),
        resolve_service(ServiceInfo("d", ALICE_ON_CALL)),
        resolve_service(ServiceInfo("e", None, "U2")),
    ]
    assert build_mentions(answers) == ["<@U2>", "<!subteam^S9>", "<@U_ALICE>"]
    assert answers[2].mention is None


def test_mention_for_users_and_groups():
    assert mention_for("U123", "user") == "<@U123>"
    assert mention_for("S123", "group") == "<!subteam^S123>"
    with pytest.raises(DomainError):
        mention_for("C123", "channel")

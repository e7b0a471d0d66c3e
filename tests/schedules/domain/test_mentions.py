from dataclasses import replace

import pytest

from schedules.domain import (
    TEAM_RUNGS,
    Assignment,
    DomainError,
    Rung,
    ServiceInfo,
    Source,
    Step,
    Tag,
    build_mentions,
    mention_for,
    resolve_service,
    resolve_team,
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


# --- the one builder: answer and fallback chain ------------------------------------------------

EVERY_RUNG = ServiceInfo(
    "s",
    None,
    primary_oncall="UP",
    service_owner="UO",
    team_slack_group="S1",
    service_team_slack_group="S2",
    team_default="UD",
)
SERVICE_RUNGS = ["primary_oncall", "service_owner", "team_slack_group", "service_slack_group"]


def team_on_call(engineer: str | None, source: Source) -> Assignment:
    return Assignment(engineer, source, day(0))


@pytest.mark.parametrize(
    ("team", "answered"),
    [
        (team_on_call("UX", Source.OVERRIDE), "override"),
        (team_on_call("UX", Source.SCHEDULE), "schedule"),
        (team_on_call("UX", Source.ROTATION), "rotation"),
        (team_on_call("UD", Source.TEAM_DEFAULT), "team_default"),
    ],
)
def test_each_team_layer_answers_and_names_only_itself_and_the_default(team, answered):
    answer = resolve_service(replace(EVERY_RUNG, team_answer=team))
    assert (answer.target, answer.kind, answer.source) == (team.engineer, "user", answered)
    layers = {s.rung: (s.target, s.answered) for s in answer.chain[:4]}
    assert [s.rung for s in answer.chain] == [*TEAM_RUNGS, *SERVICE_RUNGS]
    assert layers[answered] == (team.engineer, True)
    assert layers[Rung.TEAM_DEFAULT][0] == "UD"
    others = [r for r in ("override", "schedule", "rotation") if r != answered]
    assert all(layers[r] == (None, False) for r in others)
    assert [s.answered for s in answer.chain].count(True) == 1
    assert answer.mention == "<@" + team.engineer + ">"


SERVICE_FALLBACKS = [
    # (the service's people and groups, the rung that answers, target, kind, source)
    ({}, "primary_oncall", "UP", "user", "primary_oncall"),
    ({"primary_oncall": None}, "service_owner", "UO", "user", "service_owner"),
    (
        {"primary_oncall": None, "service_owner": None},
        "team_slack_group",
        "S1",
        "group",
        "slack_group",
    ),
    (
        {"primary_oncall": None, "service_owner": None, "team_slack_group": None},
        "service_slack_group",
        "S2",
        "group",
        "slack_group",
    ),
]


@pytest.mark.parametrize("team", [None, team_on_call(None, Source.NONE)], ids=["no team", "gap"])
@pytest.mark.parametrize(("missing", "rung", "target", "kind", "source"), SERVICE_FALLBACKS)
def test_each_service_rung_answers_when_the_ones_above_are_empty(
    team, missing, rung, target, kind, source
):
    info = replace(EVERY_RUNG, team_answer=team, team_default=None, **missing)
    answer = resolve_service(info)
    assert (answer.target, answer.kind, answer.source) == (target, kind, source)
    steps = {s.rung: s for s in answer.chain}
    assert [r for r, s in steps.items() if s.answered] == [rung]
    # the rungs below the answer are still listed with whom they name: the bot's next tries
    below = SERVICE_RUNGS[SERVICE_RUNGS.index(rung) + 1 :]
    assert all(steps[r].target for r in below)
    assert [s.rung for s in answer.chain] == [*(TEAM_RUNGS if team else ()), *SERVICE_RUNGS]


@pytest.mark.parametrize("team", [None, team_on_call(None, Source.NONE)], ids=["no team", "a gap"])
def test_when_no_rung_names_anyone_nobody_answers(team):
    answer = resolve_service(ServiceInfo("s", team))
    assert (answer.target, answer.kind, answer.source, answer.mention) == (
        None,
        None,
        "none",
        None,
    )
    assert not any(s.answered for s in answer.chain) and answer.links == ()
    assert all(s.target is None for s in answer.chain)
    assert build_mentions([answer]) == []


def test_the_links_list_whom_to_tag_in_order_each_once():
    info = ServiceInfo(
        "s",
        team_on_call("UD", Source.TEAM_DEFAULT),
        primary_oncall="UP",
        service_owner="UD",  # the owner is also the team's default
        team_slack_group="S1",
        service_team_slack_group="S1",  # the team's group, again
        team_default="UD",
    )
    links = resolve_service(info).links
    assert [(s.source, s.target, s.kind, s.mention) for s in links] == [
        ("team_default", "UD", "user", "<@UD>"),
        ("primary_oncall", "UP", "user", "<@UP>"),
        ("slack_group", "S1", "group", "<!subteam^S1>"),
    ]


def test_a_deleted_teams_group_still_counts_for_its_service():
    # no team answer (the team is deleted), but its Slack group is the service's last resort
    answer = resolve_service(ServiceInfo("s", None, team_slack_group="S_OLD"))
    assert (answer.target, answer.source) == ("S_OLD", "slack_group")
    assert answer.named(Rung.TEAM_SLACK_GROUP) == "S_OLD"
    assert answer.named(Rung.TEAM_DEFAULT) is None  # the team's layers were not asked


@pytest.mark.parametrize(
    ("team", "expected"),
    [
        (team_on_call("UX", Source.ROTATION), ("UX", "user", "rotation", ["UX", "UD", "S1"])),
        (team_on_call("UD", Source.TEAM_DEFAULT), ("UD", "user", "team_default", ["UD", "S1"])),
        # a gap is nobody: the team's group follows in the chain but never answers
        (team_on_call(None, Source.NONE), (None, None, "none", ["S1"])),
    ],
)
def test_a_team_answers_with_its_layers_only(team, expected):
    answer = resolve_team(team, default="UD" if team.engineer else None, slack_group="S1")
    links = [s.target for s in answer.links]
    assert (answer.service, answer.target, answer.kind, answer.source, links) == (None, *expected)
    assert answer.chain[-1] == Step(Rung.TEAM_SLACK_GROUP, "S1", answered=False)


def test_mentions_of_services_sharing_people_or_groups_are_deduplicated():
    payments = team_on_call("U_ALICE", Source.ROTATION)
    answers = [
        resolve_service(ServiceInfo("Payment", payments, service_owner="U_BOB")),
        resolve_service(ServiceInfo("Orphan", None, team_slack_group="S_PAY")),
        resolve_service(ServiceInfo("Bill", payments, service_owner="U_CAROL")),
        resolve_service(ServiceInfo("Ledger", None, service_team_slack_group="S_PAY")),
        resolve_service(ServiceInfo("Nothing")),
    ]
    assert build_mentions(answers) == ["<@U_ALICE>", "<!subteam^S_PAY>"]
    tags = [a.tag for a in answers]
    assert tags[:4] == [Tag("U_ALICE", "user"), Tag("S_PAY", "group")] * 2 and tags[4] is None
    assert len(set(tags[:4])) == 2  # equal tags are one mention, whoever named them


@pytest.mark.parametrize(
    ("default", "expected"),
    [
        ("U_DEFAULT", ("U_DEFAULT", "team_default", [Rung.TEAM_DEFAULT, Rung.PRIMARY_ONCALL])),
        (None, ("UP", "primary_oncall", [Rung.PRIMARY_ONCALL])),
    ],
)
def test_a_team_that_cannot_answer_leaves_its_default_then_the_services_fallbacks(
    default, expected
):
    info = ServiceInfo("s", None, "UP", team_default=default, team_error="Unknown time zone 'X/Y'.")
    answer = resolve_service(info)
    assert (answer.target, answer.source, [s.rung for s in answer.links]) == expected
    assert answer.team_error == "Unknown time zone 'X/Y'."
    assert answer.team_answer is None
    # without the error, no team answer means no team: its default is not asked
    assert resolve_service(replace(info, team_error=None)).target == "UP"
    assert resolve_service(replace(info, team_error=None)).team_error is None

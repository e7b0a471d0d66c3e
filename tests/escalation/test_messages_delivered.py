"""Every kind of Slack message, end to end: the real action writes its outbox rows, the real
delivery task sends them over HTTP to the fake Slack, and what Slack received is checked —
target, thread, mentions, text and blocks. (A real worker is covered by the *_worker tests.)"""

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest

from escalation.actions import (
    EscalationRequest,
    escalation_acknowledge,
    escalation_create,
    escalation_resolve,
)
from oncall_project.base.actors import Actor
from oncall_project.base.outbox.delivery import deliver_notification
from oncall_project.base.outbox.models import Notification
from schedules.actions import (
    OverrideFields,
    handoff_process,
    override_decide,
    override_request,
    rotation_config_update,
    rotation_generate,
)
from schedules.actions.coverage import coverage_report_queue
from teams.actions import RotationSettings
from teams.models import Team, TeamRole
from tests.escalation.test_slack_views import SECRET, interaction, signed_post
from tests.factories import MembershipFactory, ScheduleFactory, ServiceFactory, TeamFactory

# Written with fixed dates of December 2026: they run on that month's clock.
pytestmark = pytest.mark.usefixtures("december_2026")

D = datetime.date
# Tuesday 1 December 2026: Alice's rotation week began on Monday 30 November.
NOW = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)
ALICE, BOB, CAROL = Actor.slack("U_ALICE"), Actor.slack("U_BOB"), Actor.slack("U_CAROL")
STAFF = Actor(id="ops-admin", source="admin", is_staff=True)
THREAD = "1700000000.000100"


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


@dataclass(frozen=True)
class Sent:
    """What Slack must receive for one message."""

    kind: str  # the outbox row's kind
    method: str
    channel: str
    text: str
    mentions: list[str]
    blocks: list | None = None  # None: the call carries no blocks
    thread_ts: str = ""  # "" = not in a thread
    ts: str = ""  # chat.update: the message edited


@dataclass
class Stage:
    team: Team
    fake: object
    client: object
    settings: object


@pytest.fixture
def stage(db, fake_slack, client, settings) -> Stage:
    team = TeamFactory(
        name="Payments",
        slug="payments",
        slack_channel_id="C_PAY",
        rotation_enabled=True,
        rotation_type="round_robin",
        rotation_interval="weekly",
        handoff_day=0,
        rotation_start_date=D(2026, 11, 30),
        overrides_require_approval=True,
    )
    for n, uid in enumerate(["U_ALICE", "U_BOB", "U_CAROL"]):
        role = TeamRole.LEAD if uid == "U_ALICE" else TeamRole.MEMBER
        MembershipFactory(team=team, slack_user_id=uid, joined_at=D(2026, 1, 1 + n), team_role=role)
    ServiceFactory(name="Payment", team=team)
    return Stage(team, fake_slack, client, settings)


def deliver_outbox() -> list[Notification]:
    """Every pending row through the real delivery task, oldest first, as a worker would."""
    notes = list(Notification.objects.filter(status="pending").order_by("created_at"))
    for note in notes:
        assert deliver_notification(str(note.pk)) == "sent", note.last_error
    return notes


# --- the actions, each returning what Slack must then receive --------------------------------

HANDOFF_UNTIL = "Mon 7 Dec 09:00 UTC"
HANDOFF_TEXT = (
    f":pager: *Payments* on-call handoff: <@U_DAVE> → <@U_ALICE>, until {HANDOFF_UNTIL}. "
    "Next: <@U_BOB>."
)


def hand_off(stage: Stage) -> None:
    # Dave held the day before the first handoff; Alice's rotation week takes over.
    ScheduleFactory(
        team=stage.team,
        engineer_slack_id="U_DAVE",
        start_date=D(2026, 11, 30),
        end_date=D(2026, 11, 30),
    )
    handoff_process(team_id=stage.team.pk, now=NOW)


def handoff_channel_post(stage: Stage) -> Sent:
    hand_off(stage)
    blocks = [
        section(":pager: *Payments* on-call handoff"),
        section(f"<@U_DAVE> → *<@U_ALICE>*\nUntil {HANDOFF_UNTIL}"),
        context("Next up: <@U_BOB>"),
    ]
    mentions = ["<@U_DAVE>", "<@U_ALICE>", "<@U_BOB>"]
    return Sent("handoff", "chat.postMessage", "C_PAY", HANDOFF_TEXT, mentions, blocks)


def handoff_dm_to_incoming(stage: Stage) -> Sent:
    hand_off(stage)
    text = f"You are now on call for *Payments* until {HANDOFF_UNTIL}."
    return Sent("handoff_incoming", "chat.postMessage", "U_ALICE", text, [])


def handoff_dm_to_outgoing(stage: Stage) -> Sent:
    hand_off(stage)
    text = "Your on-call shift for *Payments* has ended; <@U_ALICE> took over. Thanks!"
    return Sent("handoff_outgoing", "chat.postMessage", "U_DAVE", text, ["<@U_ALICE>"])


def request_cover(stage: Stage, actor: Actor = BOB):
    return override_request(
        team=stage.team,
        actor=actor,
        fields=OverrideFields(
            engineer_slack_id="U_BOB",
            replaces_slack_id="U_ALICE",
            start_date=D(2026, 12, 8),
            end_date=D(2026, 12, 9),
            reason="Dentist",
        ),
    )


def request_text(title: str, by: str = "<@U_BOB>") -> str:
    return (
        f":arrows_counterclockwise: *Payments* {title}: <@U_BOB> covers for <@U_ALICE> "
        f"from Tue 8 Dec 2026 to Wed 9 Dec 2026. Reason: Dentist (by {by})."
    )


def buttons(override_id) -> dict:
    def button(action_id, style, label):
        return {
            "type": "button",
            "style": style,
            "action_id": action_id,
            "text": {"type": "plain_text", "text": label},
            "value": str(override_id),
        }

    return {
        "type": "actions",
        "block_id": f"override:{override_id}",
        "elements": [
            button("override_approve", "primary", "Approve"),
            button("override_reject", "danger", "Reject"),
        ],
    }


def override_request_with_buttons(stage: Stage) -> Sent:
    override = request_cover(stage)
    text = request_text("override request")
    blocks = [section(text), buttons(override.pk)]
    mentions = ["<@U_BOB>", "<@U_ALICE>", "<@U_BOB>"]
    return Sent("override_request", "chat.postMessage", "C_PAY", text, mentions, blocks)


def override_notice_without_buttons(stage: Stage) -> Sent:
    Team.objects.filter(pk=stage.team.pk).update(overrides_require_approval=False)
    stage.team.refresh_from_db()
    request_cover(stage)
    text = request_text("override")
    mentions = ["<@U_BOB>", "<@U_ALICE>", "<@U_BOB>"]
    return Sent("override_request", "chat.postMessage", "C_PAY", text, mentions, [section(text)])


def decided_by_alice(stage: Stage):
    """Carol asks for Bob to cover; the request is posted; Alice (a lead) approves."""
    override = request_cover(stage, actor=CAROL)
    deliver_outbox()
    override_decide(override=override, actor=ALICE, status="approved")


DECISION_TEXT = (
    "Your *Payments* override (<@U_BOB>, Tue 8 Dec 2026 to Wed 9 Dec 2026) was *approved* by "
    "<@U_ALICE>."
)


def decision_dm_to_requester(stage: Stage) -> Sent:
    decided_by_alice(stage)
    mentions = ["<@U_BOB>", "<@U_ALICE>"]
    return Sent("override_decision", "chat.postMessage", "U_CAROL", DECISION_TEXT, mentions)


def decision_dm_to_substitute(stage: Stage) -> Sent:
    decided_by_alice(stage)
    mentions = ["<@U_BOB>", "<@U_ALICE>"]
    return Sent("override_decision", "chat.postMessage", "U_BOB", DECISION_TEXT, mentions)


def weekly_coverage_gap_report(stage: Stage) -> Sent:
    Team.objects.filter(pk=stage.team.pk).update(rotation_enabled=False)
    ScheduleFactory(
        team=stage.team,
        engineer_slack_id="U_BOB",
        start_date=D(2026, 12, 1),
        end_date=D(2026, 12, 7),
    )
    coverage_report_queue(team_id=stage.team.pk, now=NOW)
    text = (
        ":warning: *Payments* has no one on call on these days:\n"
        "• Tue 8 Dec 2026 to Mon 14 Dec 2026"
    )
    return Sent("coverage_gaps", "chat.postMessage", "C_PAY", text, [], [section(text)])


def shifts_moved_dm(stage: Stage) -> Sent:
    rotation_generate(team=stage.team, actor=STAFF, periods=4, now=NOW)
    # Alice, Bob, Carol, Alice, Bob … becomes Alice (her week stays), Carol, Bob, Alice, Carol …
    rotation_config_update(
        team=stage.team,
        actor=STAFF,
        now=NOW,
        settings=RotationSettings(
            rotation_type="custom_order", rotation_order=["U_CAROL", "U_BOB", "U_ALICE"]
        ),
    )
    text = (
        "A change to *Payments*'s rotation moved your on-call shifts. "
        "You are now on call: Mon 14 Dec 2026 to Sun 20 Dec 2026, Mon 4 Jan 2027 to Sun 10 Jan "
        "2027. You are no longer on call: Mon 7 Dec 2026 to Sun 13 Dec 2026, Mon 28 Dec 2026 to "
        "Sun 3 Jan 2027."
    )
    return Sent("shifts_moved", "chat.postMessage", "U_BOB", text, [])


def posted_ts(kind: str) -> str:
    note = Notification.objects.get(kind=kind)
    assert note.status == "sent" and note.slack_ts
    return note.slack_ts


def approved_from_the_slack_button(stage: Stage) -> Sent:
    override = request_cover(stage)
    deliver_outbox()
    ts = posted_ts("override_request")
    stage.settings.SLACK_SIGNING_SECRET = SECRET
    answer = signed_post(
        stage.client,
        "/slack/interactions/",
        interaction("override_approve", str(override.pk), "U_ALICE"),
    )
    assert answer.json()["text"] == "Override for <@U_BOB> approved."
    line = ":white_check_mark: Approved by <@U_ALICE>"
    text = f"{request_text('override request')}\n{line}"
    blocks = [section(request_text("override request")), section(line)]
    mentions = ["<@U_BOB>", "<@U_ALICE>", "<@U_BOB>", "<@U_ALICE>"]
    return Sent("override_request_update", "chat.update", "C_PAY", text, mentions, blocks, ts=ts)


def rejected_by_staff_in_the_admin(stage: Stage) -> Sent:
    override = request_cover(stage)
    deliver_outbox()
    ts = posted_ts("override_request")
    override_decide(override=override, actor=STAFF, status="rejected")
    line = ":no_entry_sign: Rejected by ops-admin"  # staff without Slack: a name, no mention
    text = f"{request_text('override request')}\n{line}"
    blocks = [section(request_text("override request")), section(line)]
    mentions = ["<@U_BOB>", "<@U_ALICE>", "<@U_BOB>"]
    return Sent("override_request_update", "chat.update", "C_PAY", text, mentions, blocks, ts=ts)


def paged(stage: Stage):
    escalation = escalation_create(
        actor=None,
        now=NOW,
        request=EscalationRequest(
            bug_id="BUG-7",
            severity="high",
            services=["Payment"],
            channel_id="C_BUGS",
            thread_ts=THREAD,
            ack_timeout_minutes=15,
        ),
    ).escalation
    deliver_outbox()
    return escalation


def page(stage: Stage):
    escalation = paged(stage)
    escalation_acknowledge(escalation_id=escalation.pk, actor=ALICE)
    return escalation


def acknowledged_page_keeps_only_its_resolve_button(stage: Stage) -> Sent:
    escalation = page(stage)
    line = ":white_check_mark: Acknowledged by <@U_ALICE>"
    resolve = {
        "type": "button",
        "action_id": "escalation_resolve",
        "text": {"type": "plain_text", "text": "Resolve"},
        "value": str(escalation.pk),
        "style": "primary",
    }
    buttons = {"type": "actions", "block_id": f"escalation:{escalation.pk}", "elements": [resolve]}
    blocks = [section(escalation.text), section(line), buttons]
    ts = posted_ts("escalation")
    mentions = ["<@U_ALICE>", "<@U_ALICE>"]
    text = f"{escalation.text}\n{line}"
    return Sent("escalation_update", "chat.update", "C_BUGS", text, mentions, blocks, ts=ts)


def acknowledgement_in_the_bugs_thread(stage: Stage) -> Sent:
    page(stage)
    text = ":white_check_mark: *BUG-7* acknowledged by <@U_ALICE>; the escalation stops here."
    return Sent(
        "escalation_acknowledged",
        "chat.postMessage",
        "C_BUGS",
        text,
        ["<@U_ALICE>"],
        thread_ts=THREAD,
    )


def resolved_page_loses_its_buttons(stage: Stage) -> Sent:
    escalation = paged(stage)
    escalation_resolve(escalation_id=escalation.pk, actor=ALICE)
    line = ":heavy_check_mark: Resolved by <@U_ALICE>"
    blocks = [section(escalation.text), section(line)]
    ts = posted_ts("escalation")
    mentions = ["<@U_ALICE>", "<@U_ALICE>"]
    text = f"{escalation.text}\n{line}"
    return Sent("escalation_update", "chat.update", "C_BUGS", text, mentions, blocks, ts=ts)


def resolution_in_the_bugs_thread(stage: Stage) -> Sent:
    escalation_resolve(escalation_id=paged(stage).pk, actor=ALICE)
    text = ":heavy_check_mark: *BUG-7* resolved by <@U_ALICE>."
    return Sent(
        "escalation_resolved",
        "chat.postMessage",
        "C_BUGS",
        text,
        ["<@U_ALICE>"],
        thread_ts=THREAD,
    )


CASES: list[Callable[[Stage], Sent]] = [
    handoff_channel_post,
    handoff_dm_to_incoming,
    handoff_dm_to_outgoing,
    override_request_with_buttons,
    override_notice_without_buttons,
    decision_dm_to_requester,
    decision_dm_to_substitute,
    weekly_coverage_gap_report,
    shifts_moved_dm,
    approved_from_the_slack_button,
    rejected_by_staff_in_the_admin,
    acknowledged_page_keeps_only_its_resolve_button,
    acknowledgement_in_the_bugs_thread,
    resolved_page_loses_its_buttons,
    resolution_in_the_bugs_thread,
]


@pytest.mark.parametrize("case", CASES, ids=[c.__name__ for c in CASES])
def test_each_message_kind_reaches_slack_as_written(stage, case):
    expected = case(stage)
    already = len(stage.fake.calls)
    delivered = deliver_outbox()

    assert expected.kind in {note.kind for note in delivered}
    calls = [
        c
        for c in stage.fake.calls[already:]
        if c.method == expected.method and c.body["channel"] == expected.channel
    ]
    assert len(calls) == 1, [c.body for c in stage.fake.calls[already:]]
    (call,) = calls
    assert call.ok
    assert call.body["text"] == expected.text
    assert re.findall(r"<[@!][^>]+>", call.body["text"]) == expected.mentions
    assert call.body.get("blocks") == expected.blocks
    assert call.body.get("thread_ts", "") == expected.thread_ts
    if expected.method == "chat.update":
        assert call.body["ts"] == expected.ts
        # what Slack now shows in the channel: the edited message, without its buttons
        shown = stage.fake.messages[(expected.channel, expected.ts)]
        assert shown["blocks"] == expected.blocks
    note = Notification.objects.get(kind=expected.kind, channel=expected.channel)
    assert (note.status, note.attempts) == ("sent", 1)
    # a second delivery of the same row (a duplicated task) sends nothing
    assert deliver_notification(str(note.pk)) == "noop"
    assert len(stage.fake.calls) == already + len(delivered)

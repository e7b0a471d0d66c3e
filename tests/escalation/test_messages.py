"""The message builders: pure, data in, outbox Message out."""

import datetime

import pytest

from schedules import messages
from schedules.domain import DomainError

D = datetime.date


def request(**fields):
    values = {
        "override_id": "o-1",
        "team_id": "t-1",
        "team_name": "Payments",
        "channel": "C_PAY",
        "engineer": "U_BOB",
        "replaces": "",
        "start": D(2026, 12, 8),
        "end": D(2026, 12, 9),
        "reason": "",
        "requested_by": "U_BOB",
        "needs_approval": False,
        **fields,
    }
    return messages.override_request_message(**values)


@pytest.mark.parametrize(
    ("needs_approval", "title"), [(False, "override"), (True, "override request")]
)
def test_override_notice_and_request_titles(needs_approval, title):
    message = request(needs_approval=needs_approval)
    assert message.text == (
        f":arrows_counterclockwise: *Payments* {title}: <@U_BOB> covers from Tue 8 Dec 2026 to "
        "Wed 9 Dec 2026. Reason: — (by <@U_BOB>)."
    )
    assert [b["type"] for b in message.blocks] == ["section"] + ["actions"] * needs_approval


def test_a_one_day_override_is_on_that_day_written_as_the_pages_write_it():
    message = request(start=D(2026, 12, 8), end=D(2026, 12, 8))
    assert "<@U_BOB> covers on Tue 8 Dec 2026. Reason:" in message.text
    [dm] = decision(status="cancelled", requested_by="U_BOB", end=D(2026, 12, 8))
    assert dm.text.startswith("Your *Payments* override (<@U_BOB>, Tue 8 Dec 2026) was ")


def test_what_someone_typed_is_printed_in_slack_never_acted_on():
    """A reason or a team's name is free text: `<!channel>` must not page the whole channel,
    nor a link pass for something else."""
    message = request(
        team_name="R&D <ops>", reason="<!channel> pizza, <https://evil.example|approve here>"
    )
    assert message.text == (
        ":arrows_counterclockwise: *R&amp;D &lt;ops&gt;* override: <@U_BOB> covers from "
        "Tue 8 Dec 2026 to Wed 9 Dec 2026. Reason: &lt;!channel&gt; pizza, "
        "&lt;https://evil.example|approve here&gt; (by <@U_BOB>)."
    )
    assert message.blocks[0]["text"]["text"] == message.text


@pytest.mark.parametrize(
    ("requested_by", "shown"),
    [("U_CAROL", "<@U_CAROL>"), ("ops-admin", "ops-admin")],
    ids=["slack user", "staff username"],
)
def test_the_requester_is_a_mention_only_when_a_slack_user(requested_by, shown):
    assert request(requested_by=requested_by).text.endswith(f"Reason: — (by {shown}).")


def decision(status="approved", decided_by="U_ALICE", requested_by="U_CAROL", end=D(2026, 12, 9)):
    return messages.override_decision_messages(
        override_id="o-1",
        team_id="t-1",
        team_name="Payments",
        status=status,
        decided_by=decided_by,
        engineer="U_BOB",
        requested_by=requested_by,
        start=D(2026, 12, 8),
        end=end,
    )


@pytest.mark.parametrize(
    ("decided_by", "shown"),
    [("U_ALICE", "<@U_ALICE>"), ("W0123ABC", "<@W0123ABC>"), ("ops-admin", "ops-admin")],
    ids=["slack user", "enterprise user", "staff username"],
)
def test_the_decider_is_a_mention_when_a_slack_user(decided_by, shown):
    dms = [m for m in decision(decided_by=decided_by) if m.kind == "override_decision"]
    assert {m.channel for m in dms} == {"U_CAROL", "U_BOB"}
    assert all(m.text.endswith(f"was *approved* by {shown}.") for m in dms)
    (edit,) = [m for m in decision(decided_by=decided_by) if m.update_of]
    assert edit.text == f":white_check_mark: Approved by {shown}"


def test_a_cancellation_edits_nothing_and_a_username_requester_gets_no_dm():
    sent = decision(status="cancelled", requested_by="ursula")
    assert [(m.kind, m.channel) for m in sent] == [("override_decision", "U_BOB")]


def test_someone_who_asked_to_cover_themselves_gets_one_dm_of_the_decision():
    sent = decision(requested_by="U_BOB")
    assert [m.channel for m in sent if m.kind == "override_decision"] == ["U_BOB"]


def test_a_rejection_edits_the_request_it_answers():
    (edit,) = [m for m in decision(status="rejected") if m.update_of]
    assert (edit.kind, edit.channel, edit.update_of) == (
        "override_request_update",
        "",
        request().idempotency_key,
    )
    assert (
        edit.blocks == [{"type": "section", "text": {"type": "mrkdwn", "text": edit.text}}]
        and edit.text == ":no_entry_sign: Rejected by <@U_ALICE>"
    )


def test_a_time_in_a_message_is_the_teams_wall_time_with_its_zone_named():
    spring_forward = datetime.datetime(2027, 3, 14, 7, tzinfo=datetime.UTC)
    assert messages.when(spring_forward, "America/New_York") == "Sun 14 Mar 03:00 America/New_York"
    assert messages.when(None, "America/New_York") == "further notice"


def test_a_time_in_a_message_for_a_zone_the_server_no_longer_knows_is_the_engines_error():
    instant = datetime.datetime(2027, 3, 14, 7, tzinfo=datetime.UTC)
    with pytest.raises(DomainError, match="US/Pacific-New"):
        messages.when(instant, "US/Pacific-New")


def handoff(**fields) -> list:
    return messages.handoff_messages(
        **{
            "team_id": 7,
            "team_name": "Payments",
            "channel": "C_PAY",
            "timezone": "UTC",
            "on_call_date": datetime.date(2026, 12, 1),
            "outgoing": "U_ALICE",
            "incoming": "U_BOB",
            "until": datetime.datetime(2026, 12, 8, 9, tzinfo=datetime.UTC),
            "next_engineer": "U_CAROL",
            **fields,
        }
    )


def test_the_backup_handoff_of_a_day_is_never_taken_for_the_primarys():
    primary, backup = handoff(), handoff(role="backup")
    # the outbox sends a key once: a shared key would swallow one line's messages
    assert not {m.idempotency_key for m in primary} & {m.idempotency_key for m in backup}
    assert backup[0].blocks[-1]["elements"][0]["text"] == "Backup on-call"


def test_an_open_ended_handoff_plans_no_next_engineer():
    (channel, *_) = handoff(until=None, next_engineer=None)
    assert "until further notice. Next: no change planned." in channel.text
    assert channel.blocks[-1]["elements"][0]["text"] == "Next up: no change planned"


def test_a_teams_backup_line_in_a_gap_is_named_as_nobody_in_the_primarys_handoff():
    (channel, *_) = handoff(has_backup=True, backup=None)
    assert channel.text.endswith("Next: <@U_CAROL>. Backup on-call: nobody.")
    assert channel.blocks[-1]["elements"][0]["text"] == (
        "Next up: <@U_CAROL> · Backup on-call: nobody"
    )


def test_why_on_call_cannot_be_worked_out_is_printed_never_acted_on():
    """The reason names what staff saved (a time zone): whatever it holds is shown as text."""
    message = messages.coverage_gap_message(
        team_id="t-1",
        team_name="Payments",
        channel="C_PAY",
        week_of=D(2026, 12, 7),
        gaps=[],
        refused="Its time zone <!channel> & co is unknown.",
    )
    assert "cannot be worked out: Its time zone &lt;!channel&gt; &amp; co is unknown." in (
        message.text
    )

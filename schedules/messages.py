"""The words and Block Kit of the on-call messages (handoffs, overrides, coverage gaps, moved
shifts), and the pieces every Slack message uses. Pure builders: data in, outbox Message out."""

import datetime
from collections.abc import Sequence

from oncall_project.base.outbox.queue import Message
from oncall_project.base.slack_ids import is_user_id
from schedules.domain import MentionKind, ShiftChange, days_text, mention_for, zone


def plain(text: str) -> str:
    """Free text (a team's name, a reason, a bug id) as Slack prints it, never as mark-up: a
    `<!channel>`, a mention or a link someone typed is shown, not acted on (Slack's own
    escaping of &, < and >)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def user(slack_id: str | None) -> str:
    return mention_for(slack_id, MentionKind.USER) if slack_id else "nobody"


def actor(actor_id: str) -> str:
    """Who did something: a Slack user as a mention; a username (staff without Slack) or
    "system" as plain text."""
    return user(actor_id) if is_user_id(actor_id) else plain(actor_id)


def section(text: str) -> dict:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def context(text: str) -> dict:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}


def when(instant: datetime.datetime | None, tz_name: str) -> str:
    if instant is None:
        return "further notice"
    local = instant.astimezone(zone(tz_name))
    return f"{local:%a} {local.day} {local:%b %H:%M} {tz_name}"  # "Mon 7 Dec", as pages write


def handoff_messages(
    *,
    team_id,
    team_name: str,
    channel: str,
    timezone: str,
    on_call_date: datetime.date,
    outgoing: str | None,
    incoming: str | None,
    until: datetime.datetime | None,
    next_engineer: str | None,
    role: str = "primary",
    backup: str | None = None,
    has_backup: bool = False,
) -> list[Message]:
    """The handoff post to the team channel, and a DM to each of the two engineers. A primary
    handoff names the backup on call when the team has a backup line (`has_backup`); a backup
    handoff (`role` backup) says so in every message."""
    line = "backup " if role == "backup" else ""
    key = f"handoff:{team_id}:{line.strip() + ':' if line else ''}{on_call_date.isoformat()}"
    until_text = when(until, timezone)
    following = user(next_engineer) if until is not None else "no change planned"
    team_name = plain(team_name)
    title = f":pager: *{team_name}* {line}on-call handoff"
    text = f"{title}: {user(outgoing)} → {user(incoming)}, until {until_text}."
    context_text = "Backup on-call" if line else f"Next up: {following}"
    if not line:
        text += f" Next: {following}."
    if has_backup:
        text += f" Backup on-call: {user(backup)}."
        context_text += f" · Backup on-call: {user(backup)}"
    blocks = [
        section(title),
        section(f"{user(outgoing)} → *{user(incoming)}*\nUntil {until_text}"),
        context(context_text),
    ]
    messages = [Message("handoff", channel, text, f"{key}:channel", blocks, team_id=team_id)]
    if incoming:
        dm = f"You are now the {line}on call for *{team_name}* until {until_text}."
        if not line:
            dm = f"You are now on call for *{team_name}* until {until_text}."
        messages.append(Message("handoff_incoming", incoming, dm, f"{key}:in", team_id=team_id))
    if outgoing and outgoing != incoming:
        dm = (
            f"Your {line}on-call shift for *{team_name}* has ended; {user(incoming)} took over. "
            "Thanks!"
        )
        messages.append(Message("handoff_outgoing", outgoing, dm, f"{key}:out", team_id=team_id))
    return messages


def override_request_message(
    *,
    override_id,
    team_id,
    team_name: str,
    channel: str,
    engineer: str,
    replaces: str,
    start: datetime.date,
    end: datetime.date,
    reason: str,
    requested_by: str,
    needs_approval: bool,
) -> Message:
    covering = f"{user(engineer)} covers" + (f" for {user(replaces)}" if replaces else "")
    title = "override request" if needs_approval else "override"
    text = (
        f":arrows_counterclockwise: *{plain(team_name)}* {title}: {covering} {_when(start, end)}. "
        f"Reason: {plain(reason) or '—'} (by {actor(requested_by)})."
    )
    blocks = [section(text)]
    if needs_approval:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"override:{override_id}",
                "elements": [
                    {
                        "type": "button",
                        "style": "primary",
                        "action_id": "override_approve",
                        "text": {"type": "plain_text", "text": "Approve"},
                        "value": str(override_id),
                    },
                    {
                        "type": "button",
                        "style": "danger",
                        "action_id": "override_reject",
                        "text": {"type": "plain_text", "text": "Reject"},
                        "value": str(override_id),
                    },
                ],
            }
        )
    return Message(
        "override_request", channel, text, _request_key(override_id), blocks, team_id=team_id
    )


def _request_key(override_id) -> str:
    return f"override:{override_id}:requested"


DECISION_LINES = {
    "approved": ":white_check_mark: Approved by {}",
    "rejected": ":no_entry_sign: Rejected by {}",
}


def override_decision_messages(
    *,
    override_id,
    team_id,
    team_name: str,
    status: str,
    decided_by: str,
    engineer: str,
    requested_by: str,
    start: datetime.date,
    end: datetime.date,
) -> list[Message]:
    """A DM to the requester and to the substitute (once if they are the same person); for an
    approval or a rejection, also the request in the channel loses its buttons."""
    text = (
        f"Your *{plain(team_name)}* override ({user(engineer)}, {days_text(start, end)}) was "
        f"*{status}* by {actor(decided_by)}."
    )
    targets = dict.fromkeys(t for t in (requested_by, engineer) if is_user_id(t))
    dms = [
        Message(
            "override_decision",
            target,
            text,
            f"override:{override_id}:{status}:{target}",
            team_id=team_id,
        )
        for target in targets
    ]
    if status not in DECISION_LINES:  # a cancellation: no buttons were answered
        return dms
    line = DECISION_LINES[status].format(actor(decided_by))
    edit = Message(
        "override_request_update",
        "",  # the channel the request was posted to: the delivery takes it from there
        line,
        f"{_request_key(override_id)}:decided",
        [section(line)],
        team_id=team_id,
        update_of=_request_key(override_id),
    )
    return [edit, *dms]


def coverage_gap_message(
    *,
    team_id,
    team_name: str,
    channel: str,
    week_of: datetime.date,
    gaps: list[tuple[datetime.date, datetime.date]],
    backup_gaps: list[tuple[datetime.date, datetime.date]] | None = None,
    refused: str | None = None,
) -> Message:
    """`backup_gaps` is None for a team without a backup line; `refused` says why the team's
    on-call cannot be worked out, when it cannot (its gaps are then unknown)."""
    team_name = plain(team_name)
    if refused:
        text = (
            f":no_entry: *{team_name}*: who is on call cannot be worked out: {plain(refused)} "
            "Pages for its services reach its default engineer and their own fallbacks until "
            "staff or a lead chooses its time zone again in the team's settings."
        )
    elif gaps:
        lines = "\n".join(f"• {days_text(start, end)}" for start, end in gaps)
        text = f":warning: *{team_name}* has no one on call on these days:\n{lines}"
    else:
        text = f":white_check_mark: *{team_name}* is fully covered for the next 14 days."
    if backup_gaps:
        lines = "\n".join(f"• {days_text(start, end)}" for start, end in backup_gaps)
        text += f"\nNo backup on-call on these days:\n{lines}"
    elif backup_gaps is not None:
        text += "\nThe backup line is fully covered too."
    return Message(
        "coverage_gaps",
        channel,
        text,
        f"gaps:{team_id}:{week_of.isoformat()}",
        [section(text)],
        team_id=team_id,
    )


def shifts_moved_message(
    *,
    team_id,
    team_name: str,
    engineer: str,
    gained: Sequence[ShiftChange],
    lost: Sequence[ShiftChange],
    change_key: str,
    role: str = "primary",
) -> Message:
    line = "backup " if role == "backup" else ""
    parts = [f"A change to *{plain(team_name)}*'s {line}rotation moved your {line}on-call shifts."]
    if gained:
        parts.append(f"You are now on call: {_runs(gained)}.")
    if lost:
        parts.append(f"You are no longer on call: {_runs(lost)}.")
    return Message(
        "shifts_moved", engineer, " ".join(parts), f"moved:{change_key}:{engineer}", team_id=team_id
    )


def _runs(changes: Sequence[ShiftChange]) -> str:
    return ", ".join(days_text(c.start_date, c.end_date) for c in changes)


def _when(start: datetime.date, end: datetime.date) -> str:
    """ "on Tue 8 Dec 2026", or "from Tue 8 Dec 2026 to Wed 9 Dec 2026"."""
    return f"on {days_text(start, end)}" if start == end else f"from {days_text(start, end)}"

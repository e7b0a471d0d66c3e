"""Nobody holds both of a team's lines at one instant: a manual schedule or an override on one
line that names the person the other line gives then is refused (409, on the engineer).

A backup span is checked against the primary as it resolves (the backup never moves the
primary). A primary span is checked against what the backup's re-plan cannot move — its manual
schedules and overrides; the backup's auto schedules re-plan around the new primary days."""

import datetime
from collections.abc import Collection

from oncall_project.base.errors import Conflict
from schedules import domain, lines
from schedules.models import Role
from teams.models import Team
from teams.selectors import person_label

OTHER = {Role.PRIMARY: Role.BACKUP, Role.BACKUP: Role.PRIMARY}
LINE_NAME = {Role.PRIMARY: "primary", Role.BACKUP: "backup"}


def _other_line(team: Team, role: str, start: datetime.date, end: datetime.date):
    """The other line's state over its dates `start` to `end`, as far as a span on `role`
    must keep clear of it; None when there is nothing to keep clear of."""
    other = OTHER[role]
    if other == Role.BACKUP:
        if not lines.has_backup_line(team):
            return None
        return domain.fixed_only(lines.line_state(team, other, start, end))
    return lines.line_state(team, other, start, end)


def ensure_not_on_other_line(
    team: Team,
    role: str,
    engineer: str,
    start: datetime.date,
    end: datetime.date,
    days_of_week: Collection[int] | None = None,
) -> None:
    """Refuse `engineer` on the `role` line from `start` to `end` (its on-call dates; only those
    weekdays when `days_of_week` is given) when the other line gives them on a date sharing an
    instant with those."""
    if not engineer:
        return
    other = OTHER[role]
    own_handoff = lines.line_settings(team, role).handoff_time
    other_handoff = lines.line_settings(team, other).handoff_time
    first, last = domain.overlapping_dates(start, end, own_handoff, other_handoff)
    state = _other_line(team, role, first, last)
    if state is None:
        return
    covered = [
        start + datetime.timedelta(days=n)
        for n in range((end - start).days + 1)
        if not days_of_week or (start + datetime.timedelta(days=n)).weekday() in days_of_week
    ]
    touching = domain.dates_touching(covered, own_handoff, other_handoff)
    held = [d for d in domain.dates_held(state, engineer, first, last) if d in touching]
    if held:
        days = ", ".join(str(d) for d in held[:3]) + (" …" if len(held) > 3 else "")
        message = (
            f"{person_label(engineer)} is the {LINE_NAME[other]} on call then ({days}); "
            f"the {LINE_NAME[role]} must be someone else."
        )
        raise Conflict(message, {"engineer_slack_id": [message]})

"""The fairness report: from the on-call ledger, per team, line (primary or backup) and person,
how many shifts, on-call days and weekend days each carried — each line counted apart, so a
backup week is not weighed against a primary one. At most three queries whatever the
range (bounded by the form)."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from schedules.models import OnCallRecord, Role
from teams.models import Team, TeamMembership
from teams.selectors import names_shown


@dataclass
class FairnessRow:
    team: Team
    engineer: str
    role: str = Role.PRIMARY
    name: str = ""
    shifts: int = 0
    days: int = 0
    weekend_days: int = 0

    def share(self, team_days: int) -> float:
        return self.days / team_days if team_days else 0.0


def _rows(records: Iterable[OnCallRecord]) -> dict[tuple, FairnessRow]:
    """A shift is a run of consecutive on-call days of one person in one team."""
    rows: dict[tuple, FairnessRow] = {}
    last: OnCallRecord | None = None
    for record in records:
        key = (record.team_id, record.role, record.engineer_slack_id)
        row = rows.setdefault(key, FairnessRow(record.team, record.engineer_slack_id, record.role))
        continues = (
            last is not None
            and (last.team_id, last.role, last.engineer_slack_id) == key
            and last.on_call_date + datetime.timedelta(days=1) == record.on_call_date
        )
        row.shifts += 0 if continues else 1
        row.days += 1
        row.weekend_days += record.on_call_date.weekday() >= 5
        last = record
    return rows


def fairness(*, team: Team | None, start: datetime.date, end: datetime.date) -> list[FairnessRow]:
    """Rows by team name, then most days first. Days with nobody on call are not anyone's."""
    records = (
        OnCallRecord.objects.filter(on_call_date__gte=start, on_call_date__lte=end)
        .exclude(engineer_slack_id="")
        .select_related("team")
        .only("team", "team__name", "team__slug", "role", "on_call_date", "engineer_slack_id")
        .order_by("team__name", "team_id", "role", "on_call_date")
    )
    if team is not None:
        records = records.filter(team=team)
    rows = _rows(records)
    # The name the team knows a person by, else the people directory's (someone who covered
    # from another team).
    named = TeamMembership.objects.filter(
        team_id__in={key[0] for key in rows}, slack_user_id__in={key[2] for key in rows}
    ).exclude(display_name="")
    in_team = {(m.team_id, m.slack_user_id): m.display_name for m in named}
    directory = names_shown(row.engineer for row in rows.values())
    for row in rows.values():
        row.name = in_team.get((row.team.pk, row.engineer)) or directory.get(row.engineer, "")
    # The primary line first (PRIMARY sorts after BACKUP by name: ordered by flag instead).
    return sorted(
        rows.values(),
        key=lambda r: (r.team.name, str(r.team.pk), r.role != Role.PRIMARY, -r.days, r.engineer),
    )

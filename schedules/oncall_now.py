"""Who is on call at an instant for many teams, from team states kept in each process
between requests.

An entry is keyed by (team, on-call version, on-call date). Every write that can change who is
on call bumps the team's version in its own transaction (`teams.actions.lock_team`, the
handoff), and each lookup reads the version with the team row it was asked about, before the
state: so a change or a new day is a miss, never a stale answer, in any process.

A process meeting a team for the first time that day reads the team's answer for the day from
the answers every process shares (`schedules.day_answers`: the handoff works each day's out),
under the same key, before loading any state; an answer it works out itself it shares.

A state loaded inside a transaction of our own might hold writes that are not committed (and
may roll back), so it is used there but neither kept nor shared."""

import datetime
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection

from schedules import day_answers, domain
from schedules.lines import has_backup_line, line_states, line_today
from schedules.models import Role
from schedules.selectors import refusal
from teams.models import Team


@dataclass
class _Entry:
    """A team's state for one on-call date, and its answer once asked: `who_is_on_call` reads
    the instant only for its on-call date, so the answer holds for the whole day. An entry read
    from the shared answers has the answer and the names but no state (None)."""

    state: domain.TeamState | None
    answer: domain.OnCallAnswer | None = None
    # Names of whom its answers tag, kept with it: its members' from the start, others' once
    # read from the directory (`names_at`).
    names: dict[str, str | None] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.state is not None:
            self.names.update(member_names(self.state))


def member_names(state: domain.TeamState) -> dict[str, str | None]:
    return {m.slack_user_id: m.display_name or None for m in state.members}


_entries: OrderedDict[tuple, _Entry] = OrderedDict()
_lock = threading.Lock()
_clears = 0


def _key(team: Team, day: datetime.date, role: str) -> tuple:
    return (team.pk, team.oncall_version, day, role)


def may_keep() -> bool:
    """Whether what was read now may be kept past this request (not inside a transaction of
    our own)."""
    # Test cases wrap each test in atomic blocks of their own (marked `_from_testcase`, as
    # Django's durable check reads them): those hold committed data as far as the test goes.
    return not any(
        not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks
    )


def on_call_now(
    teams: Iterable[Team], at: datetime.datetime, role: str = Role.PRIMARY
) -> dict[object, domain.OnCallAnswer]:
    """Team id → answer of the `role` line at `at`, for many teams at once: no query for the
    teams already seen today at their version, two for all the others (`team_states`; the
    backup line's, `lines.backup_states`, a few more). The teams must be freshly read: their
    `oncall_version` is the key."""
    teams = list(teams)
    answers, worked_out = {}, {}
    entries = _entries_at(teams, at, role)
    for team in teams:
        entry = entries[team.pk]
        if entry.answer is None:
            entry.answer = domain.who_is_on_call(entry.state, at)
            key = _key(team, line_today(team, role, at), role)
            worked_out[key] = day_answers.DayAnswer(entry.answer, member_names(entry.state))
        answers[team.pk] = entry.answer
    if worked_out and may_keep():
        day_answers.share(worked_out)
    return answers


def share_today(teams: Iterable[Team], at: datetime.datetime) -> None:
    """Work out the teams' answers for the day holding `at`, both lines, for every process
    (`day_answers`): the handoff's, once it has committed the new day. The teams must be
    freshly read."""
    teams = [team for team in teams if team.is_active]
    if teams and day_answers.enabled():
        on_call_now(teams, at)
        backup_now(teams, at)


def backup_now(
    teams: Iterable[Team | None], at: datetime.datetime
) -> dict[object, domain.OnCallAnswer]:
    """Team id → the backup line's answer at `at`, for those of `teams` that are active, run a
    backup line and whose data the engine can read (`refusal`); the others are left out, at no
    query (their backup line comes with them)."""
    lined = [
        t
        for t in teams
        if t is not None and t.is_active and has_backup_line(t) and refusal(t) is None
    ]
    return on_call_now(lined, at, Role.BACKUP) if lined else {}


def state_at(team: Team, at: datetime.datetime, role: str = Role.PRIMARY) -> domain.TeamState:
    return _entries_at([team], at, role, need_state=True)[team.pk].state


def names_at(team: Team, at: datetime.datetime, role: str = Role.PRIMARY) -> dict:
    """Slack id → name (None: none known) kept with the team's state at `at`; a caller that
    reads a name from elsewhere adds it, so the next lookup of the day reads it here."""
    return _entries_at([team], at, role)[team.pk].names


def _entries_at(
    teams: list[Team], at: datetime.datetime, role: str, need_state: bool = False
) -> dict[object, _Entry]:
    keys = {team.pk: _key(team, line_today(team, role, at), role) for team in teams}
    found: dict[object, _Entry] = {}
    missing: list[Team] = []
    with _lock:
        for team in teams:
            entry = _entries.get(keys[team.pk])
            if entry is None or (need_state and entry.state is None):
                missing.append(team)
            else:
                _entries.move_to_end(keys[team.pk])
                found[team.pk] = entry
    if missing and not need_state:
        shared = _shared(missing, keys)
        found.update((key[0], entry) for key, entry in shared.items())
        missing = [team for team in missing if keys[team.pk] not in shared]
    else:
        shared = {}
    loaded = {}
    if missing:
        days = [keys[team.pk][2] for team in missing]
        states = line_states(missing, role, min(days), max(days))
        loaded = {keys[pk]: _Entry(state) for pk, state in states.items()}
        found.update((key[0], entry) for key, entry in loaded.items())
    if shared or loaded:
        _keep(shared | loaded if may_keep() else shared)
    return found


def _shared(missing: list[Team], keys: dict) -> dict[tuple, _Entry]:
    """The entries of `missing` teams whose answer every process shares (`day_answers`)."""
    shared = day_answers.recall(keys[team.pk] for team in missing)
    return {key: _Entry(None, value.answer, dict(value.names)) for key, value in shared.items()}


def _keep(entries: dict[tuple, _Entry]) -> None:
    """Keep `entries` (the newest) and as many of the others as ONCALL_CACHE_TEAMS allows: the
    newest batch stays whatever the limit, so the rest of the request that loaded it (the names
    of whom its answers tag, say) reads it rather than loading it again."""
    with _lock:
        _entries.update(entries)
        while len(_entries) > max(settings.ONCALL_CACHE_TEAMS, len(entries)):
            _entries.popitem(last=False)


def clear(*, shared: bool = True) -> None:
    """Forget every entry (for tests that write around the actions), and with them whatever
    was worked out from them (`clears`); with `shared`, the answers every process shares too
    (without: this process is as one that never met a team)."""
    global _clears
    with _lock:
        _entries.clear()
        _clears += 1
    if shared:
        day_answers.forget_all()


def clears() -> int:
    """How many times everything was forgotten: answers kept elsewhere from these states (the
    bot's rendered answers) hold only while this is unchanged."""
    return _clears

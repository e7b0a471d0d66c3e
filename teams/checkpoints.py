"""Dropping the rotation checkpoints kept on a team's lines (`RotationFields`) when a write
changes what they sum up: spans dated before the period they were made at. Settings and people
need no call here — a checkpoint made for others does not match them, and the engine ignores
it — but time away, schedules, overrides and imports dated in the past do."""

import datetime
from collections.abc import Iterable

from django.utils import timezone

from teams.models import BackupLine, Team
from teams.rotation_fields import CHECKPOINT_FIELDS

# A checkpoint is made at the period holding a line's on-call today, never after UTC's
# tomorrow: a write dated later than this cannot reach one.
_LATEST_START = datetime.timedelta(days=2)


def forget_checkpoints(teams: Iterable[Team], dated: datetime.date | None) -> None:
    """Inside the write's transaction: drop the checkpoints of both lines of `teams` made at a
    period starting after `dated` (None: every one), here and on the rows in hand."""
    teams = list(teams)
    if dated is not None and dated > timezone.now().date() + _LATEST_START:
        return
    cleared = dict.fromkeys(CHECKPOINT_FIELDS)
    ids = [team.pk for team in teams]
    Team.objects.filter(pk__in=ids, **_later(dated, Team)).update(**cleared)
    BackupLine.objects.filter(team_id__in=ids, **_later(dated, BackupLine)).update(**cleared)
    for team in teams:
        for line in _lines_in_hand(team):
            since = _since(dated, type(line))
            if since is None or _starts_after(line, since):
                drop(line)


def forget_all_checkpoints() -> None:
    """Inside the write's transaction: drop every team's checkpoints, both lines (an import
    that rewrites the past): one statement per table, whatever the number of teams."""
    cleared = dict.fromkeys(CHECKPOINT_FIELDS)
    Team.objects.exclude(rotation_checkpoint_start=None).update(**cleared)
    BackupLine.objects.exclude(rotation_checkpoint_start=None).update(**cleared)


def _since(dated: datetime.date | None, line_model) -> datetime.date | None:
    """The day after which a line's checkpoint is dropped. A backup line counts the primary's
    days as away from the day before (its handoff may come later in the day), so a primary
    change dated on the backup checkpoint's first day reaches the period before it."""
    if dated is None or line_model is not BackupLine:
        return dated
    return dated - datetime.timedelta(days=1)


def _later(dated: datetime.date | None, line_model) -> dict:
    since = _since(dated, line_model)
    return {} if since is None else {"rotation_checkpoint_start__gt": since}


def _lines_in_hand(team: Team) -> list:
    """The team and, when read with it, its backup line (no query)."""
    if not Team.backup_line.is_cached(team):
        return [team]
    try:
        return [team, team.backup_line]
    except BackupLine.DoesNotExist:
        return [team]


def _starts_after(line, dated: datetime.date) -> bool:
    return line.rotation_checkpoint_start is not None and line.rotation_checkpoint_start > dated


def drop(line) -> None:
    """Forget the line's checkpoint on the row in hand only (its settings just changed: the
    next lookup must not load from it)."""
    line.rotation_checkpoint = None
    line.rotation_checkpoint_start = None

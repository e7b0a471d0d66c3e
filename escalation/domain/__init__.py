"""Escalations, pure: standard library only (an import-linter contract keeps it so).

- `ladder`: whom each level tags — `Audience(oncall, second_line, groups)`,
  `targets_for_level(audience, level)`, `next_level(level)`, `MAX_LEVEL`.
- `wording`: what the bug's thread is told — `escalation_text(...)`.

How a mention is written is not here: the targets are the caller's (`schedules.domain.Tag`),
each writing its own mention in the one place (`schedules.domain.mention_for`)."""

from .ladder import MAX_LEVEL, Audience, next_level, targets_for_level
from .wording import escalation_text

__all__ = ["MAX_LEVEL", "Audience", "escalation_text", "next_level", "targets_for_level"]

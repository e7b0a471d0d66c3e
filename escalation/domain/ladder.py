"""Whom each escalation level tags: level 1 each service's on-call, level 2 adds the second
line of the services' teams (each team's backup on-call; its leads where it has none), level 3
adds the Slack user groups. Levels are cumulative; whoever two
layers name is tagged once, where first named. What a target is (and how it is written) is
the caller's: any hashable value."""

from dataclasses import dataclass
from typing import Generic, TypeVar

MAX_LEVEL = 3

T = TypeVar("T")


@dataclass(frozen=True)
class Audience(Generic[T]):
    """What each level may tag, gathered for the escalation's services."""

    oncall: tuple[T, ...] = ()
    second_line: tuple[T, ...] = ()
    groups: tuple[T, ...] = ()


def targets_for_level(audience: Audience[T], level: int) -> list[T]:
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"Escalation level must be 1 to {MAX_LEVEL}, not {level}.")
    layers = [audience.oncall, audience.second_line, audience.groups][:level]
    return list(dict.fromkeys(t for layer in layers for t in layer))


def next_level(level: int) -> int | None:
    return level + 1 if level < MAX_LEVEL else None

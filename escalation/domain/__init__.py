"""Escalation step selection and wording: pure functions, standard library only.

Level 1 tags each service's on-call, level 2 adds the leads of the services' teams, level 3 adds
the Slack user groups. Mentions are deduplicated with their order kept."""

from dataclasses import dataclass

MAX_LEVEL = 3


@dataclass(frozen=True)
class Target:
    """Someone to tag: a Slack user (`U…`/`W…`) or a user group (`S…`)."""

    slack_id: str
    kind: str  # "user" | "group"

    @property
    def mention(self) -> str:
        return f"<@{self.slack_id}>" if self.kind == "user" else f"<!subteam^{self.slack_id}>"


@dataclass(frozen=True)
class Audience:
    """What each level may tag, gathered for the escalation's services."""

    oncall: tuple[Target, ...] = ()
    leads: tuple[Target, ...] = ()
    groups: tuple[Target, ...] = ()


def targets_for_level(audience: Audience, level: int) -> list[Target]:
    if not 1 <= level <= MAX_LEVEL:
        raise ValueError(f"Escalation level must be 1 to {MAX_LEVEL}, not {level}.")
    layers = [audience.oncall, audience.leads, audience.groups][:level]
    return list(dict.fromkeys(t for layer in layers for t in layer))


def escalation_text(
    *,
    bug_id: str,
    severity: str,
    services: list[str],
    level: int,
    mentions: list[str],
    already_tagged: list[str] | None = None,
) -> str:
    """The original plan's wording, kept so the bot's readers recognise it. On a climb
    (`already_tagged`: who the level below tagged) that adds nobody, the thread is told so
    rather than hearing the same mentions again."""
    names = ", ".join(services) if services else "Unknown"
    header = (
        f":rotating_light: *Escalation (Level {level}) for {bug_id} "
        f"(Severity: {severity or 'unknown'}) — Services: {names} — "
        "Requires human investigation.*"
    )
    if already_tagged is not None and not set(mentions) - set(already_tagged):
        return f"{header}\nNo one new to tag; still waiting for an acknowledgement."
    if mentions:
        return f"{header}\n{' '.join(mentions)} please investigate."
    return f"{header}\nNo on-call, owner or group was found for these services — please triage."


def next_level(level: int) -> int | None:
    return level + 1 if level < MAX_LEVEL else None

"""What an escalation says in the bug's thread."""


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

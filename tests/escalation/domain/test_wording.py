"""What an escalation says in the bug's thread: pure, no database."""

import pytest

from escalation.domain import escalation_text

HEADER = (
    ":rotating_light: *Escalation (Level 2) for BUG-1 (Severity: high) — Services: Payment — "
    "Requires human investigation.*\n"
)


@pytest.mark.parametrize(
    ("mentions", "already_tagged", "last_line"),
    [
        (["<@U_A>"], None, "<@U_A> please investigate."),
        ([], None, "No on-call, owner or group was found for these services — please triage."),
        (["<@U_A>", "<@U_L>"], ["<@U_A>"], "<@U_A> <@U_L> please investigate."),
        (["<@U_A>"], ["<@U_A>"], "No one new to tag; still waiting for an acknowledgement."),
        ([], [], "No one new to tag; still waiting for an acknowledgement."),
        # the on-call changed between the levels: the new one is someone new
        (["<@U_B>"], ["<@U_A>"], "<@U_B> please investigate."),
    ],
    ids=["first page", "nobody found", "adds a lead", "adds nobody", "still nobody", "new on-call"],
)
def test_escalation_text(mentions, already_tagged, last_line):
    text = escalation_text(
        bug_id="BUG-1",
        severity="high",
        services=["Payment"],
        level=2,
        mentions=mentions,
        already_tagged=already_tagged,
    )
    assert text == HEADER + last_line


def test_a_bug_without_a_severity_or_services_says_unknown_for_both():
    text = escalation_text(bug_id="BUG-1", severity="", services=[], level=1, mentions=[])
    assert text.startswith(
        ":rotating_light: *Escalation (Level 1) for BUG-1 (Severity: unknown) — Services: Unknown "
    )

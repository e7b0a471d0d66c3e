"""A write that asks Slack, run while Slack is slow, and the team edited meanwhile: a write
that asks Slack first holds no lock on the team while it waits (teams.slack_first)."""

import threading
import time
from collections.abc import Callable

from django.db import connection

from oncall_project.base.actors import Actor
from teams.actions import TeamFields, team_update
from teams.models import Team
from tests.celery_worker import wait_for
from tests.fake_slack import FakeSlack

STAFF = Actor(id="ops", source="test", is_staff=True)
EDITED = "while Slack thinks"


def team_edited_while_slack_hangs(
    fake_slack: FakeSlack, method: str, team: Team, write: Callable[[], object]
) -> list[object]:
    """Run `write` in a thread of its own while Slack hangs `method`; once Slack is asked,
    edit the team from here, then let Slack answer. Asserts the edit did not wait on the
    write and was saved; returns what `write` returned (empty if it failed)."""

    def edit() -> None:
        team_update(team=team, actor=STAFF, changes=TeamFields(description=EDITED))

    done = edited_while_slack_hangs(fake_slack, method, write, edit)
    assert Team.objects.get(pk=team.pk).description == EDITED
    return done


def edited_while_slack_hangs(
    fake_slack: FakeSlack, method: str, write: Callable[[], object], edit: Callable[[], None]
) -> list[object]:
    """Run `write` in a thread of its own while Slack hangs `method`; once Slack is asked,
    run `edit` from here, then let Slack answer. Asserts `edit` did not wait on the write's
    lock; returns what `write` returned (empty if it failed)."""
    fake_slack.hang(method, seconds=30)
    done: list[object] = []

    def run() -> None:
        try:
            done.append(write())
        finally:
            connection.close()

    writing = threading.Thread(target=run)
    writing.start()
    wait_for(lambda: fake_slack.calls_to(method))
    started = time.monotonic()
    edit()
    waited = time.monotonic() - started
    fake_slack.release()  # the hung call is dropped; the client's retry gets the answer
    writing.join(timeout=30)
    assert waited < 2, f"the lock was held for {waited:.1f} s while Slack was asked"
    return done

import datetime
import time

import pytest
from django.utils import timezone

from oncall_project.base.actors import Actor

# Tests written with fixed dates of December 2026 run on this clock (it ticks on from there), so
# rules about "today" (an override may not end in the past) read them alike in any year.
DECEMBER_1_2026 = datetime.datetime(2026, 12, 1, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def december_2026(monkeypatch):
    """The wall clock every layer reads (`timezone.now`) starts at 1 December 2026, 12:00 UTC."""
    started = time.monotonic()
    monkeypatch.setattr(
        timezone,
        "now",
        lambda: DECEMBER_1_2026 + datetime.timedelta(seconds=time.monotonic() - started),
    )
    return DECEMBER_1_2026


@pytest.fixture
def staff_actor() -> Actor:
    return Actor(id="ops-admin", source="test", is_staff=True)


@pytest.fixture
def member_actor() -> Actor:
    return Actor(id="U_MEMBER", source="test", slack_user_id="U_MEMBER")


@pytest.fixture
def fake_slack(settings):
    """Slack's Web API on a local port; the bot token is set so messages are really sent."""
    from tests.fake_slack import FakeSlackServer

    server = FakeSlackServer()
    with server as fake:
        settings.SLACK_API_URL = server.url
        settings.SLACK_BOT_TOKEN = "xoxb-test-token"
        yield fake

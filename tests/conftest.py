import pytest

from audit.actors import Actor


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

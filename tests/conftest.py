import datetime
import time

import pytest
from django.utils import timezone

from oncall_project.base.actors import Actor
from teams.models import Person

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


# The people the tests name, as the people directory knows them: every write that names someone
# needs them there (teams.people). Ids a test means as unknown (U_NOBODY, U_GHOST…) are not here,
# nor those whose names a Slack sync test expects Slack to give (U_NINA, U_BARE).
KNOWN_PEOPLE = {
    "U_ALICE": ("Alice Nguyen", "America/New_York"),
    "U_BOB": ("Bob Stone", "Europe/Berlin"),
    "U_CAROL": ("Carol Diaz", "Europe/London"),
    "U_DAVE": ("Dave Kim", "Asia/Tokyo"),
    "U_ERIN": ("Erin Wu", "UTC"),
    "U_EVE": ("Eve Park", "UTC"),
    "U_FRANK": ("Frank Osei", "UTC"),
    "U_GRACE": ("Grace Hopper", "UTC"),
    "U_ZED": ("Zed Zimmer", "UTC"),
    **{
        sid: (sid.removeprefix("U_").title(), "UTC")
        for sid in (
            "U_LEAD",
            "U_LEAD1",
            "U_LEAD2",
            "U_MEMBER",
            "U_NEW",
            "U_DEFAULT",
            "U_NEWDEFAULT",
            "U_OWNER",
            "U_PRIMARY",
            "U_OTHER",
            "U_OPS",
            "U_ADMIN",
            "U_ME",
            "U_X",
            "U_A",
            "U_B",
            "U_C",
            "U_L",
            "U_ALICE2",
            "U_CY",
            "U_BEN",
            "U_ANA",
            "U_ALEX",
            "U_HEAVY",
            "U_ONCALL",
            "U_YESTERDAY",
            "U_LEAVER",
            "U_LEFT",
            "U_ZOE",
            "U_YAN",
            "U_SANA",
            "U_RAHUL",
            "U_PRIYA",
            "U_PAYLEAD",
            "U_OUTSIDER",
            "U_MALLORY",
            "U_IVAN",
            "U_ENG0",
            "U_ENG1",
            "U_ENG2",
            "U_ELSEWHERE",
            "U_DI",
            "U_ARJUN",
            "U_ANYONE",
            "U_VICTIM",
            "U_FAX",
            "U_COVER",
            "UA",
            "UB",
            "UC",
            "UD",
            "UE",
            "UP",
            "US",
            "UW",
            "UX",
            "UY",
            "UZ",
            "UO",
            "U0",
            "U1",
            "U2",
            "U123",
            "UNEW",
            "UDEF",
            "UDAVE",
            "UOUT",
            "UOTHER",
            "UAUTO",
            "UGONE",
        )
    },
}


def _uses_database(request) -> bool:
    if request.node.get_closest_marker("django_db"):
        return True
    return bool({"db", "transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def known_people(request):
    """The people tests name are in the directory, for every test with a database; a test
    about the directory itself starts it empty with `@pytest.mark.empty_directory`."""
    if request.node.get_closest_marker("empty_directory") or not _uses_database(request):
        return
    for name in ("transactional_db", "live_server", "db"):
        if name in request.fixturenames:
            request.getfixturevalue(name)
            break
    Person.objects.bulk_create(
        [
            Person(slack_user_id=sid, display_name=name, timezone=tz)
            for sid, (name, tz) in KNOWN_PEOPLE.items()
        ],
        ignore_conflicts=True,
    )


@pytest.fixture
def fake_slack(settings):
    """Slack's Web API on a local port; the bot token is set so messages are really sent."""
    from tests.fake_slack import FakeSlackServer

    server = FakeSlackServer()
    with server as fake:
        settings.SLACK_API_URL = server.url
        settings.SLACK_BOT_TOKEN = "xoxb-test-token"
        yield fake

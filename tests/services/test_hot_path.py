"""The bot's hot path (services.api.hot): the plain lookups answered outside DRF give the very
bytes and headers DRF gives; everything else is DRF's own answer; a kept answer is never stale;
and a warm lookup costs one query (none for the token with the token cache)."""

import datetime

import pytest
from django.conf import settings as django_settings
from django.db.models import F
from django.test import RequestFactory, override_settings
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAdminUser
from rest_framework.test import APIClient

from oncall_project.base.api import verified_tokens
from oncall_project.tokens import api_token_create
from schedules.models import Schedule
from services.api import hot
from services.api.oncall import OnCallViewSet
from services.models import Service
from teams.models import BackupLine, Team
from tests.api_support import make_user, session_client, token_client
from tests.factories import (
    MembershipFactory,
    OverrideFactory,
    ScheduleFactory,
    ServiceFactory,
    TeamFactory,
)

D = datetime.date
# A token is one query without the token cache (oncall_project.base.api.auth).
TOKEN_AUTH = 1
# Headers that differ between any two responses.
PER_RESPONSE = {"X-Request-ID", "Date"}


pytestmark = pytest.mark.usefixtures("no_kept_answers")


@pytest.fixture
def org(db, december_2026):
    """Payments: U_CAROL's schedule this week, U_BOB's override from the 2nd; services with each
    fallback;
    names with a capital beyond ASCII."""
    payments = TeamFactory(
        name="Payments", slug="payments", oncall_engineer="U_ALICE", slack_group_id="S_PAY"
    )
    ScheduleFactory(team=payments, engineer_slack_id="U_CAROL", start_date=D(2026, 11, 30))
    OverrideFactory(team=payments, status="approved", start_date=D(2026, 12, 2))
    quiet = TeamFactory(name="Quiet «ü»", slug="quiet", slack_group_id="S_QUIET")
    ServiceFactory(
        name="Payment",
        team=payments,
        service_owner="U_BOB",
        repository_url="https://github.com/example/payment",
        tech_stack="Go, PostgreSQL",
    )
    ServiceFactory(name="Bill", team=payments, service_owner="U_CAROL")
    ServiceFactory(name="Orphan", team=None, primary_oncall="U_FRANK", team_slack_group="S_O")
    ServiceFactory(name="Überweisung", team=quiet)
    ServiceFactory(name="Retired", team=payments, is_active=False)
    return payments


PLAIN = [
    "/api/v1/oncall/?service=Payment",
    "/api/v1/oncall/?service=%20payment%20",
    "/api/v1/oncall/?service=Orphan",
    "/api/v1/oncall/?service=%C3%9Cberweisung",
    "/api/v1/oncall/mentions/?services=Payment,bill,PAYMENT,Orphan,Nope,%C3%9Cberweisung",
    "/api/v1/oncall/mentions/?services=Retired",
    "/api/v1/services/lookup/?name=payment&format=text",
    "/api/v1/services/lookup/?name=Orphan&format=text",
    "/api/v1/services/lookup/?name=%C3%9Cberweisung",
]
NAMING_NO_SERVICE = {PLAIN[4], PLAIN[5]}
NOT_PLAIN = [
    "/api/v1/oncall/?service=Nope",
    "/api/v1/oncall/?service=Retired",
    "/api/v1/oncall/?service=",
    "/api/v1/oncall/?service=Payment&service=Bill",
    "/api/v1/oncall/?service=Payment&at=2026-12-08T12:00:00Z",
    "/api/v1/oncall/?service=Payment&team=payments",
    "/api/v1/oncall/?team=payments",
    "/api/v1/oncall/mentions/?services=,,",
    "/api/v1/oncall/mentions/",
    "/api/v1/oncall/mentions/?services=" + ",".join(["Payment"] * 1300),  # over 10,000 characters
    "/api/v1/services/lookup/?name=Nope&format=text",
    "/api/v1/services/lookup/?name=payment&format=xml",
    "/api/v1/services/lookup/?format=text",
]


def answer(client: APIClient, path: str, *, hot_path: bool, **headers) -> tuple:
    with override_settings(API_HOT_PATH=hot_path):
        response = client.get(path, **headers)
    kept = {k: v for k, v in response.headers.items() if k not in PER_RESPONSE}
    return response.status_code, kept, response.content


@pytest.mark.parametrize("path", PLAIN)
def test_a_plain_lookup_answers_the_bytes_and_headers_drf_gives(org, path):
    bot = token_client()
    by_drf = answer(bot, path, hot_path=False)
    assert not hot._kept
    assert by_drf[0] == 200
    first, again = (answer(bot, path, hot_path=True) for _ in range(2))
    # kept by the hot path, unless it names what is no service (anyone could fill the memory)
    assert bool(hot._kept) == (path not in NAMING_NO_SERVICE)
    assert first == again == by_drf


@pytest.mark.parametrize("path", NOT_PLAIN, ids=lambda path: path[:90])
def test_anything_else_is_drfs_own_answer(org, path):
    bot = token_client()
    assert answer(bot, path, hot_path=True) == answer(bot, path, hot_path=False)
    assert not hot._kept


@pytest.mark.parametrize(
    "client", ["anonymous", "bad token", "session"], ids=lambda c: c.replace(" ", "-")
)
def test_other_callers_get_drfs_answer(org, client):
    callers = {
        "anonymous": APIClient(),
        "bad token": APIClient(HTTP_AUTHORIZATION="Token 0123456789abcdef"),
        "session": session_client(make_user()),
    }
    path = PLAIN[0]
    expected = answer(callers[client], path, hot_path=False)
    assert answer(callers[client], path, hot_path=True) == expected
    assert expected[0] == (200 if client == "session" else 401)
    assert not hot._kept


def test_an_accept_header_or_head_goes_to_drf(org):
    bot = token_client()
    for headers in ({"HTTP_ACCEPT": "application/json; indent=2"}, {"HTTP_ACCEPT": "text/html"}):
        expected = answer(bot, PLAIN[0], hot_path=False, **headers)
        assert answer(bot, PLAIN[0], hot_path=True, **headers) == expected
    with override_settings(API_HOT_PATH=True):
        assert bot.head(PLAIN[0]).status_code == 200
    assert not hot._kept


def test_a_throttled_token_gets_drfs_429_and_is_not_counted_twice(org):
    rates = {**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/minute"}}
    bot = token_client()
    with override_settings(REST_FRAMEWORK=rates):
        statuses = [answer(bot, PLAIN[0], hot_path=True)[0] for _ in range(3)]
        with override_settings(API_HOT_PATH=True):
            again = bot.get(PLAIN[0])
    assert statuses == [200, 200, 429]
    assert again.status_code == 429 and 1 <= int(again["Retry-After"]) <= 60


def test_a_change_to_the_service_its_team_or_the_day_is_a_new_answer(org, monkeypatch):
    bot = token_client()
    path = "/api/v1/oncall/?service=Payment"

    def now_answered():
        with override_settings(API_HOT_PATH=True):
            body = bot.get(path).json()
        assert answer(bot, path, hot_path=False)[2] == bot.get(path).content
        return body

    assert now_answered()["engineer_slack_id"] == "U_CAROL"  # the schedule (1 Dec)
    Service.objects.filter(name="Payment").update(team=None, primary_oncall="U_PRIM")
    assert now_answered()["engineer_slack_id"] == "U_PRIM"
    Service.objects.filter(name="Payment").update(team=org)
    assert now_answered()["engineer_slack_id"] == "U_CAROL"
    # as every action does: the team's version bumped with the change
    Team.objects.filter(pk=org.pk).update(oncall_version=F("oncall_version") + 1)
    today = D(2026, 12, 1)
    OverrideFactory(
        team=org, engineer_slack_id="U_ZED", status="approved", start_date=today, end_date=today
    )
    assert now_answered()["engineer_slack_id"] == "U_ZED"
    Team.objects.filter(pk=org.pk).update(name="Payments & Co")
    assert now_answered()["team"]["name"] == "Payments & Co"
    tomorrow = datetime.datetime(2026, 12, 2, 12, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: tomorrow)
    assert now_answered()["engineer_slack_id"] == "U_BOB"  # the override of 2 Dec


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/oncall/?service=Payment",
        "/api/v1/oncall/mentions/?services=Payment,Bill,Orphan,Nope,%C3%9Cberweisung",
        "/api/v1/services/lookup/?name=payment&format=text",
    ],
)
def test_a_warm_lookup_reads_only_its_services(org, settings, path, django_assert_num_queries):
    settings.API_TOKEN_CACHE = False  # the token's query counted, whatever CACHE_URL says
    bot = token_client()
    assert bot.get(path).status_code == 200
    # the services with their teams (their versions): one statement
    with django_assert_num_queries(TOKEN_AUTH + 1):
        assert bot.get(path).status_code == 200


REDIS_URL = (
    django_settings.CELERY_BROKER_URL
    if django_settings.CELERY_BROKER_URL.startswith("redis")
    else ""
)


@pytest.mark.skipif(not REDIS_URL, reason="the token cache needs a shared cache (Redis)")
@pytest.mark.parametrize("path", [PLAIN[0], PLAIN[4], PLAIN[6]])
def test_with_the_token_cache_a_warm_lookup_is_one_query(
    org, settings, path, django_assert_max_num_queries
):
    settings.CACHES = {
        "default": {"BACKEND": "oncall_project.base.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.API_TOKEN_CACHE = True
    verified_tokens.clear()
    bot = token_client()
    assert bot.get(path).status_code == 200
    with django_assert_max_num_queries(1):
        assert bot.get(path).status_code == 200


def test_a_kept_answer_naming_a_backup_is_new_at_the_backups_own_handoff(org, monkeypatch):
    """The backup line hands off daily at 18:00, the primary's day turns at its own handoff: the
    answer the hot path gave at noon is not the one it gives at 19:00 the same day."""
    for n, member in enumerate(["U_DAN", "U_EVE"]):
        MembershipFactory(team=org, slack_user_id=member, joined_at=D(2026, 1, 1 + n))
    BackupLine.objects.create(
        team=org,
        rotation_enabled=True,
        rotation_interval="daily",
        handoff_time=datetime.time(18),
        rotation_start_date=D(2026, 11, 30),
    )
    bot = token_client()
    path = "/api/v1/oncall/?service=Payment"

    def backup_now() -> str:
        with override_settings(API_HOT_PATH=True):
            body = bot.get(path).json()
        assert answer(bot, path, hot_path=False)[2] == bot.get(path).content
        return body["backup"]["engineer_slack_id"]

    at_noon = backup_now()
    evening = datetime.datetime(2026, 12, 1, 19, tzinfo=datetime.UTC)
    monkeypatch.setattr("django.utils.timezone.now", lambda: evening)
    assert {at_noon, backup_now()} == {"U_DAN", "U_EVE"}


class StaffOnlyOnCallViewSet(OnCallViewSet):
    """The on-call lookup, as if someone made it staff-only."""

    permission_classes = [IsAdminUser]


class SessionOnlyOnCallViewSet(OnCallViewSet):
    authentication_classes = [SessionAuthentication]


class UnthrottledOnCallViewSet(OnCallViewSet):
    throttle_classes = []


@pytest.mark.parametrize(
    ("view_class", "status"),
    [
        (StaffOnlyOnCallViewSet, 403),
        (SessionOnlyOnCallViewSet, 403),
        (UnthrottledOnCallViewSet, 200),
    ],
)
def test_a_lookup_whose_view_checks_otherwise_is_left_to_that_view(org, view_class, status):
    """The hot path answers for a view only while its checks are the hot path's own (a token,
    signed in, the token throttle): made staff-only, say, the view refuses a bot's token."""
    _, token = api_token_create(name="bot")
    view = hot.hot(view_class.as_view({"get": "retrieve"}), hot.SERVICE)
    request = RequestFactory().get(PLAIN[0], HTTP_AUTHORIZATION=f"Token {token}")
    with override_settings(API_HOT_PATH=True):
        assert view.plain_case(request) is None  # not the hot path's to answer
        assert view(request).status_code == status  # the view's own answer


def test_a_lookup_the_engine_cannot_work_out_is_the_api_views_own_answer(org):
    """A schedule edited by hand past what the engine reads: the hot path hands the lookup on,
    and the API view answers it its own way, as with the hot path off."""
    Schedule.objects.filter(team=org).update(days_of_week=[0, 9])  # no validation
    bot = token_client()
    by_drf = answer(bot, PLAIN[0], hot_path=False)
    assert by_drf[0] < 500
    assert answer(bot, PLAIN[0], hot_path=True) == by_drf
    assert not hot._kept

"""The verified-token cache (API_TOKEN_CACHE): a token checked once is not looked up again, and
a token revoked, a user deactivated or a token expired is refused at the very next request — in
this process and in another one (a real gunicorn node sharing the Redis cache)."""

import datetime
import hmac
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

import knox.auth
import pytest
import redis.connection
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.db import transaction
from django.test import Client, override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from oncall_project.base.actors import Actor
from oncall_project.base.api import verified_tokens
from oncall_project.base.api.auth import ApiTokenAuthentication, TokenRateThrottle
from oncall_project.tokens import api_token_create, api_token_revoke
from teams.actions import person_link
from tests.ops.processes import Processes, free_port, wait_until_up

REDIS_URL = settings.CELERY_BROKER_URL if settings.CELERY_BROKER_URL.startswith("redis") else ""
pytestmark = pytest.mark.skipif(
    not REDIS_URL, reason="the token cache needs a cache every process shares (Redis)"
)
SHARED_DATABASE = pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
    reason="a second process shares the test database on PostgreSQL only",
)


@pytest.fixture(autouse=True)
def shared_cache(settings):
    settings.CACHES = {
        "default": {"BACKEND": "oncall_project.base.cache.RedisCache", "LOCATION": REDIS_URL}
    }
    settings.API_TOKEN_CACHE = True
    verified_tokens.clear()
    yield
    verified_tokens.clear()


def bot(name: str = "bot") -> tuple[APIClient, str]:
    _, token = api_token_create(name=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client, token


@pytest.mark.django_db
def test_a_verified_token_is_not_looked_up_again(django_assert_num_queries):
    client, _ = bot()
    assert client.get("/api/v1/me/").status_code == 200
    with django_assert_num_queries(0):
        response = client.get("/api/v1/me/")
    assert response.json() == {"username": "bot", "is_staff": False, "authenticated_by": "token"}


@pytest.mark.django_db
def test_who_a_kept_token_acts_for_follows_their_link_at_once():
    _, token = bot()
    user = get_user_model().objects.get(username="bot")
    check = ApiTokenAuthentication().authenticate_credentials

    def acts_for() -> str:
        return Actor.from_user(check(token.encode())[0], "api").slack_user_id

    assert acts_for() == ""
    person_link(user=user, slack_user_id="U_ALICE", actor=None)
    assert acts_for() == "U_ALICE"  # the token is kept; who it is, is not
    person_link(user=user, slack_user_id="", actor=None)
    assert acts_for() == ""


@pytest.mark.django_db
def test_a_wrong_token_is_refused_whatever_was_verified_before():
    client, token = bot()
    assert client.get("/api/v1/me/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION=f"Token {token[:-1]}{'0' if token[-1] != '0' else '1'}")
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_revoked_token_is_refused_at_once():
    client, _ = bot()
    assert client.get("/api/v1/me/").status_code == 200
    api_token_revoke(token=AuthToken.objects.get(), actor=None)
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_deactivated_user_is_refused_and_a_promoted_one_seen_at_once():
    client, _ = bot()
    assert client.get("/api/v1/me/").json()["is_staff"] is False
    user = get_user_model().objects.get(username="bot")
    user.is_staff = True
    user.save()
    assert client.get("/api/v1/me/").json()["is_staff"] is True
    user.is_active = False
    user.save()
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_an_expiring_token_is_refused_once_past_its_expiry(monkeypatch):
    user = get_user_model().objects.create(username="temp")
    _, token = AuthToken.objects.create(user=user, expiry=datetime.timedelta(minutes=5))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").status_code == 200
    later = timezone.now() + datetime.timedelta(minutes=6)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert client.get("/api/v1/me/").status_code == 401


def get_me(port: int, token: str) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/me/", headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


@pytest.mark.django_db(transaction=True)
@SHARED_DATABASE
def test_a_token_revoked_here_is_refused_at_once_by_another_process():
    _, token = bot("other-process-bot")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, Processes(Path(folder)) as processes:
        processes.web("web", port, CACHE_URL=REDIS_URL, API_TOKEN_CACHE="true")
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        assert [get_me(port, token) for _ in range(3)] == [200, 200, 200]  # verified, kept
        api_token_revoke(token=AuthToken.objects.get(), actor=None)
        assert get_me(port, token) == 401


@pytest.mark.django_db(transaction=True)
@SHARED_DATABASE
def test_a_token_checked_while_its_revocation_commits_is_refused_once_it_has():
    """Another process checks the token between the revocation's start and its commit: it still
    reads the row then, and keeps the token — under a generation the commit replaces."""
    _, token = bot("racing-bot")
    port = free_port()
    with tempfile.TemporaryDirectory() as folder, Processes(Path(folder)) as processes:
        processes.web("web", port, CACHE_URL=REDIS_URL, API_TOKEN_CACHE="true")
        wait_until_up(f"http://127.0.0.1:{port}/healthz")
        with transaction.atomic():
            api_token_revoke(token=AuthToken.objects.get(), actor=None)
            assert get_me(port, token) == 200  # the revocation is not committed yet
        assert get_me(port, token) == 401


@pytest.mark.django_db
def test_the_token_throttle_slides_its_window_in_one_redis_script(monkeypatch):
    """The same window as tests/test_api_frame.py's on the local cache, counted in Redis."""
    clock = [60.0 * 1_000_000 + 50]  # 50 s into a minute
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
        clock[0] += 30  # 20 s into the next minute: the last one still weighs 2/3 (1.33 of 2)
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]
        clock[0] += 60  # a minute on, only the one request of the minute before weighs, 2/3
        assert client.get("/api/v1/me/").status_code == 200


@pytest.fixture
def service(db):
    from tests.factories import ServiceFactory, TeamFactory

    return ServiceFactory(name="Payment", team=TeamFactory(slug="payments"))


class RedisCommands:
    """Commands sent to Redis (each a round trip: this client pipelines nothing)."""

    def __init__(self, monkeypatch) -> None:
        self.sent = 0
        send = redis.connection.Connection.send_packed_command

        def counted(connection, command, check_health=True):
            self.sent += 1
            return send(connection, command, check_health)

        monkeypatch.setattr(redis.connection.Connection, "send_packed_command", counted)


def test_a_kept_tokens_lookup_on_the_hot_path_is_one_cache_round_trip(
    service, monkeypatch, django_assert_num_queries
):
    client, _ = bot()
    for _ in range(2):  # verified, then kept (the script that reads both loaded into Redis)
        assert client.get("/api/v1/oncall/?service=Payment").status_code == 200
    commands = RedisCommands(monkeypatch)
    with django_assert_num_queries(1):  # its service, its team with it
        assert client.get("/api/v1/oncall/?service=Payment").status_code == 200
    assert commands.sent == 1  # the token's generation and its count, in one script


def test_the_hot_path_refuses_a_throttled_token_before_its_lookup(
    service, django_assert_num_queries
):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        path = "/api/v1/oncall/?service=Payment"
        assert [client.get(path).status_code for _ in range(2)] == [200, 200]
        with django_assert_num_queries(0):  # neither the service nor its team read
            assert client.get(path).status_code == 429


def test_a_kept_token_over_its_rate_is_refused_on_the_hot_path_in_its_one_round_trip(
    service, monkeypatch
):
    """The script that would have counted the request says no: the hot path checks nothing
    afresh, and the API view answers the 429 (the token's generation, then its count)."""
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        path = "/api/v1/oncall/?service=Payment"
        assert [client.get(path).status_code for _ in range(2)] == [200, 200]  # verified, kept
        commands = RedisCommands(monkeypatch)
        refused = client.get(path)
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert commands.sent == 1 + 2


def test_a_request_the_hot_path_hands_on_is_counted_once(service):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        statuses = [client.get("/api/v1/oncall/?service=Nothing").status_code for _ in range(3)]
    assert statuses == [404, 404, 429]


def test_a_revoked_kept_token_is_refused_at_once_on_the_hot_path(service):
    client, _ = bot()
    assert client.get("/api/v1/oncall/?service=Payment").status_code == 200
    api_token_revoke(token=AuthToken.objects.get(), actor=None)
    assert client.get("/api/v1/oncall/?service=Payment").status_code == 401


@pytest.mark.django_db
def test_a_user_deactivated_by_saving_that_field_alone_is_refused_at_once():
    client, _ = bot()
    assert client.get("/api/v1/me/").status_code == 200
    user = get_user_model().objects.get(username="bot")
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_token_whose_expiry_is_brought_forward_is_refused_at_once():
    client, _ = bot()
    assert client.get("/api/v1/me/").status_code == 200
    row = AuthToken.objects.get()
    row.expiry = timezone.now() - datetime.timedelta(seconds=1)
    row.save()
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_token_revoked_while_its_check_is_under_way_is_refused_at_the_next_request(monkeypatch):
    """The revocation commits after the token's row was read and before the token is kept: it
    is kept under the generation read before the row, which the revocation replaced, so the next
    request checks it afresh. (knox's digest comparison, between the two, is where the
    revocation is made to land.)"""
    client, _ = bot()
    revocations = []

    def compared_while_revoked(digest: str, stored: str) -> bool:
        if not revocations:
            revocations.append(api_token_revoke(token=AuthToken.objects.get(), actor=None))
        return hmac.compare_digest(digest, stored)

    monkeypatch.setattr(knox.auth, "compare_digest", compared_while_revoked)
    assert client.get("/api/v1/me/").status_code == 200  # its row was read before
    assert client.get("/api/v1/me/").status_code == 401


@pytest.mark.django_db
def test_a_sign_in_to_pages_leaves_the_kept_tokens_trusted(django_assert_num_queries):
    get_user_model().objects.create_user("dana", password="dana-pass-123")
    client, _ = bot()
    assert client.get("/api/v1/me/").status_code == 200
    signed_in = Client().post("/accounts/login/", {"username": "dana", "password": "dana-pass-123"})
    assert signed_in.status_code == 302  # its last_login saved, which no token check reads
    with django_assert_num_queries(0):
        assert client.get("/api/v1/me/").status_code == 200


def test_a_process_keeps_at_most_max_tokens_then_starts_over():
    limit = verified_tokens.MAX_TOKENS
    for n in range(limit + 1):
        verified_tokens.remember(f"digest-{n}", "generation", object(), object())
    assert verified_tokens.kept_generation(f"digest-{limit}") == "generation"
    assert verified_tokens.kept_generation("digest-0") is None
    assert verified_tokens.kept_generation(f"digest-{limit - 1}") is None


@pytest.mark.django_db
def test_a_windows_count_in_redis_still_weighs_through_the_next_window(monkeypatch):
    """Each window's counter lives two windows (in real time): one gone with its own window
    would let a token spend its whole rate again at the start of the next."""
    clock = [1_000_000.0]  # the window's own clock; the counter's lifetime is Redis's
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "2/second"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(1.3)  # past one window, well within two
        clock[0] += 1.25  # a quarter into the next window: the last one still weighs 1.5 of 2
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


@pytest.mark.django_db
def test_a_tokens_counters_in_redis_end_their_life_two_windows_on():
    """Nothing of a token's rate piles up in Redis: each window's counter lives two windows."""
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": "5/minute"}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        assert client.get("/api/v1/me/").status_code == 200  # verified, counted
        assert client.get("/api/v1/me/").status_code == 200  # kept, counted
    redis = caches["default"].redis(write=True)
    counters = redis.keys(f"*throttle_token_{AuthToken.objects.get().digest}:*")
    assert counters
    assert all(0 < redis.ttl(key) <= 120 for key in counters)


def test_with_no_token_rate_a_kept_tokens_lookups_are_answered(service):
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {}}
    with override_settings(REST_FRAMEWORK=rates):
        client, _ = bot()
        statuses = [client.get("/api/v1/oncall/?service=Payment").status_code for _ in range(3)]
    assert statuses == [200, 200, 200]

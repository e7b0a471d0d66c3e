"""The WSGI application takes the bot's plain lookups through a shorter middleware chain
(`oncall_project.hot_first`): each answer is the one Django's full handler gives, byte for byte
and header for header, and whatever the hot path does not answer reaches the full handler."""

import io
import re

import pytest
from django.core.cache import caches
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from oncall_project.hot_first import SKIPPED, Application
from oncall_project.ops import middleware
from oncall_project.tokens import api_token_create
from services.api import hot
from tests.factories import MembershipFactory, ServiceFactory, TeamFactory


@pytest.fixture
def token(db):
    team = TeamFactory(name="Payments", slug="payments", oncall_engineer="U_ALICE")
    MembershipFactory(team=team, slack_user_id="U_ALICE", display_name="Alice Ames")
    ServiceFactory(name="Checkout", team=team)
    ServiceFactory(name="Ledger", team=team, service_owner="U_BOB")
    return api_token_create(name="bot")[1]


@pytest.fixture(autouse=True)
def within_the_test_transaction():
    """As Django's test client does: a request must not close the test's connection."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    hot.clear()
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    hot.clear()


class Called:
    """Django's full handler, counting the requests that reach it."""

    def __init__(self, handler) -> None:
        self.handler, self.count, self.environs = handler, 0, []

    def __call__(self, environ, start_response):
        self.count += 1
        self.environs.append(environ)
        return self.handler(environ, start_response)


def call(app, path: str, query: str = "", token: str | None = None, **headers) -> tuple:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_X_REQUEST_ID": "req-1",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.url_scheme": "http",
        **headers,
    }
    if token:
        environ["HTTP_AUTHORIZATION"] = f"Token {token}"
    started = {}

    def start_response(status, response_headers, exc_info=None):
        started["status"], started["headers"] = status, sorted(response_headers)

    response = app(environ, start_response)
    body = b"".join(response)
    response.close()
    if dict(started["headers"]).get("Content-Type", "").startswith("text/html"):
        body = re.sub(rb"[A-Za-z0-9]{32,}", b"(a CSRF token)", body)  # random on either path
    return started["status"], [_fixed(h) for h in started["headers"]], body


def _fixed(header: tuple[str, str]) -> tuple[str, str]:
    """A cookie by its name only: a new CSRF token is random on either path."""
    name, value = header
    return (name, value.split("=")[0]) if name == "Set-Cookie" else header


def both(path: str, query: str = "", **kwargs) -> tuple[tuple, tuple, int]:
    """The answer of the application and of Django's full handler, and how many requests the
    application handed to the full handler."""
    app = Application()
    app.django = Called(app.django)
    ours = call(app, path, query, **kwargs)
    hot.clear()
    return ours, call(WSGIHandler(), path, query, **kwargs), app.django.count


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/oncall/", "service=Checkout"),
        ("/api/v1/oncall/", "service=checkout"),
        ("/api/v1/oncall/mentions/", "services=Checkout,Ledger"),
        ("/api/v1/oncall/mentions/", "services=Checkout,Nope"),
        ("/api/v1/services/lookup/", "name=Ledger&format=text"),
        ("/api/v1/services/lookup/", "name=Ledger"),
    ],
)
def test_a_plain_lookup_is_answered_ahead_of_the_full_chain_as_the_full_chain_would(
    token, path, query
):
    ours, full, handed_on = both(path, query, token=token)
    assert ours == full
    assert ours[0] == "200 OK"
    assert handed_on == 0
    headers = dict(ours[1])  # the kept middleware's headers are there
    assert headers["X-Request-ID"] == "req-1"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize(
    ("path", "query", "kwargs", "status"),
    [
        ("/api/v1/oncall/", "service=Nope", {}, "404 Not Found"),
        ("/api/v1/oncall/", "service=Checkout&at=2026-12-01T10:00:00Z", {}, "200 OK"),
        ("/api/v1/oncall/", "service=", {}, "400 Bad Request"),
        ("/api/v1/oncall/", "service=Checkout", {"token": "not-a-token"}, "401 Unauthorized"),
        ("/api/v1/oncall/", "service=Checkout", {"token": ""}, "401 Unauthorized"),
        ("/api/v1/oncall/", "service=Checkout", {"HTTP_COOKIE": "tz=Asia/Tokyo"}, "200 OK"),
        ("/api/v1/oncall/", "service=Checkout", {"HTTP_ACCEPT": "text/html"}, "406 Not Acceptable"),
        ("/api/v1/oncall/", "service=Checkout", {"HTTP_HOST": "evil.example"}, "400 Bad Request"),
        ("/api/v1/services/lookup/", "name=Ledger&format=xml", {}, "400 Bad Request"),
    ],
)
def test_whatever_the_hot_path_does_not_answer_the_full_handler_does(
    token, path, query, kwargs, status
):
    kwargs = {"token": token} | kwargs
    ours, full, handed_on = both(path, query, **kwargs)
    assert ours == full
    assert ours[0] == status
    assert handed_on == 1


def test_a_lookup_sent_with_a_body_over_the_limit_is_the_full_handlers_413(token, settings):
    size = settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1
    body = {"CONTENT_LENGTH": str(size), "wsgi.input": io.BytesIO(b"x" * size)}
    ours, full, handed_on = both("/api/v1/oncall/", "service=Checkout", token=token, **body)
    assert ours[0] == full[0] == "413 Request Entity Too Large"
    assert handed_on == 1


def test_text_that_is_no_text_is_refused_by_the_same_check_on_either_path(token):
    ours, full, handed_on = both("/api/v1/oncall/", "service=%FF%FE", token=token)
    assert ours == full
    assert ours[0] == "400 Bad Request" and b"service" in ours[2]
    assert handed_on == 0  # the query text check is in the shorter chain too


def test_only_middleware_that_exist_are_skipped(settings):
    assert set(SKIPPED) <= set(settings.MIDDLEWARE)


@pytest.mark.parametrize(
    "query",
    ["service=Checkout&at=2026-12-01T10:00:00Z", "service=Nope", "service=Checkout"],
    ids=["declined-after-counting", "unknown", "answered"],
)
def test_each_request_counts_once_against_the_token_rate_whoever_answers(token, query, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/minute"},
    }
    app = Application()
    statuses = [call(app, "/api/v1/oncall/", query, token=token)[0][:3] for _ in range(4)]
    assert statuses[:3] == [statuses[0]] * 3 and statuses[0] in ("200", "404")
    assert statuses[3] == "429"


def fails_once(call, fault: Exception):
    """`call`, raising `fault` the first time (an outside part failing once)."""
    faults = iter([fault])

    def failing(*args, **kwargs):
        raised = next(faults, None)
        if raised is not None:
            raise raised
        return call(*args, **kwargs)

    return failing


def test_a_fault_after_the_hot_answer_is_answered_by_the_full_handler_counted_once(
    token, settings, monkeypatch, caplog
):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/minute"},
    }
    fault = RuntimeError("the request log failed once")
    monkeypatch.setattr(
        middleware.access_log, "info", fails_once(middleware.access_log.info, fault)
    )
    status, _, body = call(Application(), "/api/v1/oncall/", "service=Checkout", token=token)
    assert status == "200 OK" and b'"engineer_slack_id":"U_ALICE"' in body
    assert "hot path handed /api/v1/oncall/ on" in caplog.text
    again = [call(Application(), "/api/v1/oncall/", "service=Checkout", token=token) for _ in "12"]
    assert [status[:3] for status, _, _ in again] == ["200", "429"]  # the first counted once


def test_a_fault_before_the_hot_answer_goes_to_the_api_view_without_a_second_try(
    token, monkeypatch, caplog
):
    cache = caches["default"]
    fault = ConnectionError("the cache did not answer once")
    monkeypatch.setattr(cache, "get_many", fails_once(cache.get_many, fault))  # the throttle's
    app = Application()
    app.django = Called(app.django)
    status, _, body = call(app, "/api/v1/oncall/", "service=Checkout", token=token)
    assert status == "200 OK" and b'"engineer_slack_id":"U_ALICE"' in body
    assert app.django.count == 1 and app.django.environs[0][hot.DECLINED] is True
    assert "hot path handed /api/v1/oncall/ on" in caplog.text


def test_a_request_the_hot_path_declines_is_not_offered_to_it_again(
    token, django_assert_num_queries
):
    wrong = token[:-1] + ("0" if token[-1] != "0" else "1")
    with django_assert_num_queries(2):  # the token looked up by the hot path, then by the API
        status, _, _ = call(Application(), "/api/v1/oncall/", "service=Checkout", token=wrong)
    assert status == "401 Unauthorized"

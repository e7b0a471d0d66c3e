"""The API's frame: every endpoint refuses anonymous callers, one error shape, tokens, throttling
and pagination."""

import datetime
import io
import re
import time

import pytest
from django.conf import settings
from django.core.cache import cache, caches
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.exceptions import ErrorDetail
from rest_framework.test import APIClient

from audit.models import AuditLog
from oncall_project.base.api.auth import TokenRateThrottle
from oncall_project.base.api.errors import flatten_errors
from oncall_project.tokens import api_token_create
from schedules.models import Schedule
from tests.api_support import (
    DUMMY_UUID,
    api_paths,
    api_routes,
    assert_error,
    make_user,
    nothing_changes,
    session_client,
    token_client,
)
from tests.factories import ScheduleFactory, TeamFactory

METHODS = ("GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE")


@pytest.fixture(autouse=True)
def _fresh_throttle_history():
    cache.clear()
    yield
    cache.clear()


API_PATHS = api_paths()
PATH_IDS = [path.replace(DUMMY_UUID, "{id}") for path in API_PATHS]


@pytest.mark.parametrize(
    "path",
    [
        "api/v1/teams/",
        "api/v1/teams/payments/",
        "api/v1/teams/payments/members/",
        "api/v1/teams/payments/members/U_ALICE/",
        "api/v1/teams/payments/oncall-schedules/",
        "api/v1/teams/payments/oncall-schedules/6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11/",
        "api/v1/teams/payments/oncall-overrides/",
        "api/v1/teams/payments/oncall-overrides/6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11/",
        "api/v1/services/",
        "api/v1/services/6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11/",
        "api/v1/audit-logs/",
        "api/schema/",
        "api/docs/",
    ],
)
def test_the_walk_sees_the_endpoint(path):
    assert any(re.fullmatch(regex, path) for regex in api_routes())


@pytest.mark.parametrize("path", API_PATHS, ids=PATH_IDS)
def test_every_api_endpoint_refuses_anonymous_requests(db, path):
    client = APIClient()
    for method in METHODS:
        response = client.generic(method, path, "{}", content_type="application/json")
        assert response.status_code in (401, 403), (method, path, response.status_code)


@pytest.mark.parametrize("path", API_PATHS, ids=PATH_IDS)
def test_no_endpoint_answers_unknown_ids_or_empty_bodies_with_a_server_error(db, path):
    client = session_client(make_user(is_staff=True))
    for method in METHODS:
        response = client.generic(method, path, "{}", content_type="application/json")
        assert response.status_code < 500, (method, path, response.status_code)


def test_anonymous_gets_401_in_the_error_shape_with_the_token_scheme(db):
    response = APIClient().get("/api/v1/teams/")
    assert_error(response, 401)
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/oncall/?service=Payment"])
def test_a_token_that_is_not_text_is_a_401_not_a_500(db, path):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token \xff\xfe")  # bytes no UTF-8 reader takes
    response = client.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid token."


def test_a_staff_token_writes_without_csrf_and_is_audited_under_its_name(db):
    client = token_client(staff=True)
    response = client.post("/api/v1/teams/", {"name": "Search"}, format="json")
    assert response.status_code == 201, response.content
    row = AuditLog.objects.get(entity_type="team")
    assert row.actor_id.startswith("bot-")
    assert row.metadata["source"] == "api"


def test_session_writes_need_the_csrf_token(db):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_user(is_staff=True))
    with nothing_changes():
        assert_error(client.post("/api/v1/teams/", {"name": "Search"}, format="json"), 403)


def test_a_wrong_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert_error(client.get("/api/v1/teams/"), 401)


# --- error shape ---------------------------------------------------------------------------


def test_malformed_json_is_a_400_in_the_error_shape(db):
    client = session_client(make_user(is_staff=True))
    response = client.post("/api/v1/teams/", "{not json", content_type="application/json")
    assert_error(response, 400)


@pytest.mark.parametrize("depth", [600, 5000])  # the audit diff's recursion; the decoder's
def test_a_body_nested_too_deeply_is_a_400_and_changes_nothing(db, depth):
    client = session_client(make_user(is_staff=True))
    body = '{"name": "Deep", "metadata": {"a": ' + "[" * depth + "]" * depth + "}}"
    with nothing_changes():
        response = client.post("/api/v1/services/", body, content_type="application/json")
    assert "nested" in assert_error(response, 400)["detail"]


def test_a_form_body_is_refused_with_415(db):
    client = session_client(make_user(is_staff=True))
    assert_error(client.post("/api/v1/teams/", {"name": "Payments"}, format="multipart"), 415)


def test_a_method_not_offered_is_a_405(db):
    client = session_client(make_user())
    assert_error(client.put("/api/v1/teams/", {}, format="json"), 405)


def test_an_unknown_api_path_is_a_json_404(db):
    client = session_client(make_user())
    body = assert_error(client.get("/api/v1/no-such-thing/"), 404)
    assert "/api/v1/no-such-thing/" in body["detail"]
    assert "Did you mean /api/v1/teams/?" in client.get("/api/v1/teams").json()["detail"]
    assert_error(client.get("/api/v1/services/not-a-uuid/"), 404)


def test_a_page_past_the_end_is_a_404(db):
    client = session_client(make_user())
    assert_error(client.get("/api/v1/teams/?page=9"), 404)


def test_a_bad_filter_value_is_a_400_naming_the_parameter(db):
    client = session_client(make_user())
    assert_error(client.get("/api/v1/services/?tier=gold"), 400, "tier")


def test_validation_errors_are_flattened_to_field_paths():
    detail = {
        "name": [ErrorDetail("This field is required.")],
        "days_of_week": {0: [ErrorDetail("Bad day.")]},
        "team": {"non_field_errors": [ErrorDetail("No team.")]},
        "items": [{}, {"slack_user_id": [ErrorDetail("Not a Slack id.")]}],
    }
    assert flatten_errors(detail) == {
        "name": ["This field is required."],
        "days_of_week.0": ["Bad day."],
        "team": ["No team."],
        "items.1.slack_user_id": ["Not a Slack id."],
    }
    assert flatten_errors([ErrorDetail("Expected an object.")]) == {
        "non_field_errors": ["Expected an object."]
    }


def test_a_body_that_is_not_an_object_is_a_400(db):
    client = session_client(make_user(is_staff=True))
    body = assert_error(client.post("/api/v1/teams/", [1, 2], format="json"), 400)
    assert "non_field_errors" in body["errors"]


# --- pagination ----------------------------------------------------------------------------


def test_lists_are_paginated(db):
    TeamFactory.create_batch(3)
    client = session_client(make_user())
    body = client.get("/api/v1/teams/?page_size=2").json()
    assert body["count"] == 3
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert body["next"].endswith("page=2&page_size=2")
    assert len(client.get(body["next"]).json()["results"]) == 1


@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5", "\u0663", "1e3"])
@pytest.mark.parametrize("param", ["page", "page_size"])
def test_a_page_or_page_size_that_is_not_a_number_from_1_is_a_400_naming_it(db, param, value):
    # Before, `?page=abc` was a 404 "Invalid page." naming nothing, and a bad `?page_size=` was
    # the default page given back without a word ("\u0663", an Arabic-Indic 3, was read as 3).
    TeamFactory.create_batch(3)
    client = session_client(make_user())
    body = assert_error(client.get("/api/v1/teams/", {param: value}), 400, param)
    assert body["errors"][param] == [f"A whole number from 1, e.g. {param}=2."]
    assert_error(client.get("/api/v1/audit-logs/", {"page_size": value}), 400, "page_size")


def test_pages_read_as_numbers_last_and_past_the_last(db):
    TeamFactory.create_batch(3)
    client = session_client(make_user())

    def names(query: str) -> list[str]:
        return [t["name"] for t in client.get(f"/api/v1/teams/?{query}").json()["results"]]

    everyone = names("page_size=3")
    assert names("page=002&page_size=2") == names("page=last&page_size=2") == everyone[2:]
    assert names("page_size=" + "9" * 5000) == everyone  # read as the most, not parsed
    body = assert_error(client.get("/api/v1/teams/?page=3&page_size=2"), 404)
    assert body["detail"] == "No page 3: That page contains no results."
    assert_error(client.get("/api/v1/teams/?page=" + "9" * 5000), 404)


# --- tokens and throttling -----------------------------------------------------------------


def test_create_api_token_prints_a_token_that_authenticates_and_is_stored_hashed(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("create_api_token", "bug-bot", stdout=out, stderr=err)
    token = out.getvalue().strip()
    assert len(token) >= 32 and "\n" not in token
    assert "not shown again" in err.getvalue()

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/teams/").status_code == 200

    row = AuthToken.objects.get()
    assert row.user.username == "bug-bot"
    assert not row.user.has_usable_password()
    assert not row.user.is_staff
    stored = [str(value) for value in AuthToken.objects.values_list().get()]
    assert all(token not in value for value in stored)
    assert row.digest != token


def test_create_api_token_reuses_the_user_and_staff_is_opt_in(db):
    user = make_user()
    user.set_password("keep-me-123")
    user.save()
    call_command("create_api_token", user.username, stdout=io.StringIO(), stderr=io.StringIO())
    call_command(
        "create_api_token", user.username, "--staff", stdout=io.StringIO(), stderr=io.StringIO()
    )
    user.refresh_from_db()
    assert user.is_staff
    assert user.check_password("keep-me-123")
    assert AuthToken.objects.filter(user=user).count() == 2


def test_create_api_token_refuses_a_bad_name(db):
    with pytest.raises(CommandError):
        call_command("create_api_token", "no spaces please", stdout=io.StringIO())
    assert not AuthToken.objects.exists()


def _rates(rate: str) -> dict:
    return {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"token": rate}}


def test_token_clients_are_throttled_at_the_configured_rate(db):
    with override_settings(REST_FRAMEWORK=_rates("2/minute")):
        client = token_client()
        assert client.get("/api/v1/teams/").status_code == 200
        assert client.get("/api/v1/teams/").status_code == 200
        response = client.get("/api/v1/teams/")
        assert_error(response, 429)
        assert int(response["Retry-After"]) > 0
        assert token_client().get("/api/v1/teams/").status_code == 200


def test_the_token_throttle_slides_its_window(db, monkeypatch):
    clock = [60.0 * 1_000_000 + 50]  # 50 s into a minute
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    with override_settings(REST_FRAMEWORK=_rates("2/minute")):
        client = token_client()
        statuses = [client.get("/api/v1/me/").status_code for _ in range(3)]
        assert statuses == [200, 200, 429]
        clock[0] += 30  # 20 s into the next minute: the last one still weighs 2/3 (1.33 of 2)
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]
        clock[0] += 60  # a minute on, only the one request of the minute before weighs, 2/3
        assert client.get("/api/v1/me/").status_code == 200


def test_session_clients_are_not_throttled(db):
    with override_settings(REST_FRAMEWORK=_rates("1/minute")):
        client = session_client(make_user())
        assert [client.get("/api/v1/teams/").status_code for _ in range(3)] == [200] * 3


def test_a_new_api_token_is_audited_without_the_token(db):
    _user, token = api_token_create(name="bugbot")
    row = AuditLog.objects.get(entity_type="api_token")
    assert row.changes["user"] == {"old": None, "new": "bugbot"}
    assert token not in str(row.changes) and token not in str(row.metadata)


def test_me_says_who_the_caller_is_and_how_it_signed_in(db, django_assert_max_num_queries):
    bot = token_client(staff=True)
    with django_assert_max_num_queries(1):  # the token's own lookup
        by_token = bot.get("/api/v1/me/").json()
    assert by_token["authenticated_by"] == "token" and by_token["is_staff"] is True
    assert by_token["username"].startswith("bot-")
    person = session_client(make_user(is_staff=False)).get("/api/v1/me/").json()
    assert person["authenticated_by"] == "session" and person["is_staff"] is False


def test_a_team_whose_time_zone_the_server_no_longer_knows_is_a_409_not_a_500(db):
    # Valid when saved, removed by a tzdata update since (US/Pacific-New went in 2020b). Its
    # services answer without it (tests/services/test_unreadable_team.py).
    TeamFactory(slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ALICE")
    bot = token_client()
    for path in ("/api/v1/oncall/?team=odd", "/api/v1/teams/odd/oncall/"):
        body = assert_error(bot.get(path), 409)
        assert "US/Pacific-New" in body["detail"], path


def test_a_schedule_edited_by_hand_past_what_the_engine_reads_is_a_409_in_its_words(db):
    today = timezone.localdate()
    team = TeamFactory(slug="odd", oncall_engineer="U_ALICE")
    schedule = ScheduleFactory(
        team=team,
        start_date=today - datetime.timedelta(days=1),
        end_date=today + datetime.timedelta(days=5),
        schedule_type="daily",
        days_of_week=[0, 1],
    )
    Schedule.objects.filter(pk=schedule.pk).update(days_of_week=[0, 9])  # no validation
    body = assert_error(token_client().get("/api/v1/oncall/?team=odd"), 409)
    assert body["detail"] == (
        "This team's on-call cannot be worked out: "
        "days_of_week must be 0 (Monday) to 6 (Sunday), not 9."
    )


def test_a_throttled_token_is_told_to_retry_when_its_window_ends_and_may_then(db, monkeypatch):
    clock = [60.0 * 1_000_000 + 50]  # 50 s into a minute
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    with override_settings(REST_FRAMEWORK=_rates("2/minute")):
        client = token_client()
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 200]
        refused = client.get("/api/v1/me/")
        assert (refused.status_code, refused["Retry-After"]) == (429, "10")
        clock[0] += 10.5  # as told, and a little: the last minute weighs 2 × 59.5/60, under 2
        assert client.get("/api/v1/me/").status_code == 200


def test_a_windows_count_still_weighs_through_the_next_window(db, monkeypatch):
    """Each window's count lives two windows (in real time): one gone with its own window would
    let a token spend its whole rate again at the start of the next."""
    clock = [1_000_000.0]  # the window's own clock; the count's lifetime is the cache's
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: clock[0])
    with override_settings(REST_FRAMEWORK=_rates("2/second")):
        client = token_client()
        assert [client.get("/api/v1/me/").status_code for _ in range(3)] == [200, 200, 429]
        time.sleep(1.3)  # past one window, well within two
        clock[0] += 1.25  # a quarter into the next window: the last one still weighs 1.5 of 2
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]


def test_a_count_whose_counter_expires_as_it_is_made_still_counts(db, monkeypatch):
    """The window's counter reaches the end of its life between its add and its increment: the
    request is counted all the same, not let through for nothing."""
    monkeypatch.setattr(TokenRateThrottle, "timer", lambda self: 60.0 * 1_000_000 + 10)
    backend = caches["default"]
    increment = backend.incr
    expired = []

    def incr_just_after_expiry(key, delta=1, version=None):
        if not expired:
            expired.append(key)
            backend.delete(key)  # as the cache drops it at the end of its life
        return increment(key, delta, version)

    monkeypatch.setattr(backend, "incr", incr_just_after_expiry)
    with override_settings(REST_FRAMEWORK=_rates("1/minute")):
        client = token_client()
        assert [client.get("/api/v1/me/").status_code for _ in range(2)] == [200, 429]
    assert expired  # the first request's count met the expiry


def test_a_token_for_a_staff_user_is_audited_as_staff_though_not_made_staff(db):
    user = make_user(is_staff=True)
    api_token_create(name=user.username)
    row = AuditLog.objects.get(entity_type="api_token")
    assert row.changes["is_staff"] == {"old": None, "new": True}

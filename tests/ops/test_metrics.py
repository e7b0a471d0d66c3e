"""/metrics: who may read it, and what it says, from the process and from the database."""

import datetime
import time

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import RequestFactory
from django.utils import timezone

from escalation.actions import (
    EscalationRequest,
    escalation_acknowledge,
    escalation_climb,
    escalation_create,
    escalation_resolve,
)
from escalation.models import Escalation
from oncall_project.base import slack
from oncall_project.base.actors import Actor
from oncall_project.base.outbox import queue as outbox
from oncall_project.base.outbox.models import Notification
from oncall_project.ops import watchdog
from oncall_project.ops.collectors import COVERAGE_CACHE_KEY
from oncall_project.ops.metrics import is_local
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_record
from schedules.selectors import local_today
from schedules.tasks import handoff_tick, process_handoffs
from teams.models import Team
from tests.api_support import token_client
from tests.factories import ScheduleFactory, ServiceFactory, TeamFactory
from tests.ops.metrics_support import scrape, value

ELSEWHERE = {"REMOTE_ADDR": "10.0.0.7"}


@pytest.mark.django_db
def test_metrics_answer_loopback_only_without_a_token(client):
    assert client.get("/metrics").status_code == 200  # the test client is 127.0.0.1
    response = client.get("/metrics", **ELSEWHERE)
    assert response.status_code == 403
    assert "METRICS_TOKEN" in response.json()["detail"]
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    # a reverse proxy on the same host connects from loopback on anyone's behalf
    proxied = client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert proxied.status_code == 403
    standard = client.get("/metrics", HTTP_FORWARDED="for=203.0.113.9;proto=https")  # RFC 7239
    assert standard.status_code == 403


@pytest.mark.django_db
def test_a_client_whose_address_is_unknown_is_not_local(client):
    # a server on a Unix socket passes an empty address: nothing says the client is local
    assert client.get("/metrics", REMOTE_ADDR="").status_code == 403
    request = RequestFactory().get("/metrics")
    del request.META["REMOTE_ADDR"]
    assert is_local(request) is False


@pytest.mark.django_db
def test_with_a_token_metrics_need_it_from_everywhere(client, settings):
    settings.METRICS_TOKEN = "s3cret-scrape"
    assert client.get("/metrics").status_code == 401  # loopback is no longer enough
    wrong = client.get("/metrics", HTTP_AUTHORIZATION="Bearer nope", **ELSEWHERE)
    assert wrong.status_code == 401 and wrong["WWW-Authenticate"].startswith("Bearer")
    right = client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-scrape", **ELSEWHERE)
    assert right.status_code == 200
    assert right["Content-Type"].startswith("text/plain")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("header", "status"),
    [
        ("bearer s3cret-scrape", 200),  # the scheme word in any case
        ("BEARER  s3cret-scrape", 200),
        ("s3cret-scrape", 401),  # the token alone is not a bearer token
        ("Token s3cret-scrape", 401),
        ("Basic s3cret-scrape", 401),
        ("Bearer", 401),
        ("Bearer s3cret-scrape-and-more", 401),
    ],
)
def test_metrics_take_the_token_as_a_bearer_token_only(client, settings, header, status):
    settings.METRICS_TOKEN = "s3cret-scrape"
    response = client.get("/metrics", HTTP_AUTHORIZATION=header, **ELSEWHERE)
    assert response.status_code == status


@pytest.mark.django_db
def test_requests_are_counted_by_route_and_status_with_latency(client):
    api = token_client()
    before = scrape(client)
    route = "api/v1/me/"
    api.get("/api/v1/me/")
    api.get("/api/v1/me/")
    client.get("/no/such/page/")
    client.get("/static/no-such-file.css")
    after = scrape(client)
    labels = {"route": route, "method": "GET"}

    def grew(name, **extra):
        return (value(after, name, **labels, **extra) or 0) - (
            value(before, name, **labels, **extra) or 0
        )

    assert grew("oncall_http_requests_total", status="200") == 2
    assert grew("oncall_http_request_duration_seconds_count") == 2
    assert grew("oncall_http_request_duration_seconds_bucket", le="+Inf") == 2
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert value(after, "oncall_http_requests_total", **unmatched) >= 1
    static = {"route": "static", "method": "GET", "status": "404"}
    assert value(after, "oncall_http_requests_total", **static) >= 1


@pytest.mark.django_db
def test_notifications_by_status_and_the_oldest_pending_age(client, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    with transaction.atomic():
        outbox.enqueue(
            [outbox.Message("handoff", "C_OPS", f"m{n}", f"metrics-{n}") for n in range(3)]
        )
    Notification.objects.filter(idempotency_key="metrics-0").update(status="failed")
    ten_minutes_ago = timezone.now() - datetime.timedelta(minutes=10)
    Notification.objects.filter(idempotency_key="metrics-1").update(created_at=ten_minutes_ago)
    text = scrape(client)
    assert value(text, "oncall_notifications", status="pending") == 2
    assert value(text, "oncall_notifications", status="failed") == 1
    assert value(text, "oncall_notifications", status="sent") == 0
    assert 600 <= value(text, "oncall_notification_oldest_pending_age_seconds") < 660


@pytest.mark.django_db
def test_escalations_opened_acknowledged_resolved_climbed_and_time_to_ack(client):
    team = TeamFactory(oncall_engineer="U_ALICE")
    ServiceFactory(name="Payment", team=team)
    opened = [
        escalation_create(
            actor=None,
            request=EscalationRequest(
                bug_id=f"BUG-{n}", services=["Payment"], channel_id="C_BUGS", ack_timeout_minutes=5
            ),
        ).escalation
        for n in range(3)
    ]
    escalation_climb(escalation_id=opened[0].pk, token=opened[0].token)
    escalation_acknowledge(escalation_id=opened[1].pk, actor=Actor.slack("U_ALICE"))
    escalation_resolve(escalation_id=opened[2].pk, actor=Actor.slack("U_ALICE"))
    # exactly on a bucket's bound: Prometheus buckets count values less than or equal to it
    five_minutes = opened[1].created_at + datetime.timedelta(minutes=5)
    Escalation.objects.filter(pk=opened[1].pk).update(acknowledged_at=five_minutes)
    text = scrape(client)
    assert value(text, "oncall_escalations_opened_total") == 3
    assert value(text, "oncall_escalations_acknowledged_total") == 1
    assert value(text, "oncall_escalations_resolved_total") == 1
    assert value(text, "oncall_escalations_climbed_total") == 1
    ack = "oncall_escalation_time_to_ack_seconds"
    assert value(text, f"{ack}_bucket", le="60.0") == 0
    assert value(text, f"{ack}_bucket", le="300.0") == 1
    assert value(text, f"{ack}_bucket", le="+Inf") == 1
    assert value(text, f"{ack}_count") == 1
    assert value(text, f"{ack}_sum") == pytest.approx(300, abs=1)


@pytest.fixture(autouse=True)
def fresh_coverage_figures():
    """Coverage-gap figures are cached between scrapes: each test starts without them."""
    cache.delete(COVERAGE_CACHE_KEY)


@pytest.mark.django_db
def test_coverage_gap_days_per_team_over_the_next_14_days(client):
    covered = TeamFactory(slug="covered", oncall_engineer="U_ALICE")
    gappy = TeamFactory(slug="gappy")
    today = local_today(gappy, timezone.now())
    ScheduleFactory(team=gappy, start_date=today, end_date=today + datetime.timedelta(days=3))
    TeamFactory(slug="gone", is_active=False)
    text = scrape(client)
    assert value(text, "oncall_coverage_gap_days", team=covered.slug) == 0
    assert value(text, "oncall_coverage_gap_days", team="gappy") == 10
    assert value(text, "oncall_coverage_gap_days", team="gone") is None


@pytest.mark.django_db
def test_a_team_whose_on_call_cannot_be_worked_out_is_flagged_not_left_out_of_the_scrape(client):
    # The zone went in a tzdata update since the team was saved (US/Pacific-New, 2020b).
    TeamFactory(slug="odd", timezone="US/Pacific-New", oncall_engineer="U_ODD")
    TeamFactory(slug="covered", oncall_engineer="U_ALICE")
    response = client.get("/metrics")
    assert response.status_code == 200
    text = response.content.decode()
    assert value(text, "oncall_coverage_gap_days", team="covered") == 0
    assert value(text, "oncall_coverage_gap_days", team="odd") is None
    assert value(text, "oncall_team_unreadable", team="odd") == 1
    assert value(text, "oncall_team_unreadable", team="covered") is None


@pytest.mark.django_db
def test_coverage_gap_figures_are_kept_for_a_while_then_worked_out_again(client, settings):
    team = TeamFactory(slug="later-covered")
    assert value(scrape(client), "oncall_coverage_gap_days", team=team.slug) == 14
    Team.objects.filter(pk=team.pk).update(oncall_engineer="U_ALICE")
    assert value(scrape(client), "oncall_coverage_gap_days", team=team.slug) == 14  # cached
    cache.delete(COVERAGE_CACHE_KEY)  # as the cache does after METRICS_COVERAGE_CACHE_SECONDS
    assert value(scrape(client), "oncall_coverage_gap_days", team=team.slug) == 0


@pytest.mark.django_db
def test_coverage_gap_figures_expire_after_the_configured_seconds(client, settings):
    settings.METRICS_COVERAGE_CACHE_SECONDS = 1
    team = TeamFactory(slug="soon-covered")
    assert value(scrape(client), "oncall_coverage_gap_days", team=team.slug) == 14
    Team.objects.filter(pk=team.pk).update(oncall_engineer="U_ALICE")
    time.sleep(1.5)
    assert value(scrape(client), "oncall_coverage_gap_days", team=team.slug) == 0


@pytest.mark.django_db
def test_the_oldest_pending_age_is_zero_when_nothing_is_pending(client, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    with transaction.atomic():
        outbox.enqueue([outbox.Message("handoff", "C_OPS", f"m{n}", f"done-{n}") for n in range(3)])
    an_hour_ago = timezone.now() - datetime.timedelta(hours=1)
    for n, status in enumerate(("sent", "failed", "skipped")):
        done = Notification.objects.filter(idempotency_key=f"done-{n}")
        done.update(status=status, created_at=an_hour_ago)
    text = scrape(client)
    assert value(text, "oncall_notifications", status="pending") == 0
    assert value(text, "oncall_notification_oldest_pending_age_seconds") == 0


@pytest.mark.django_db
def test_the_handoff_tick_age_is_absent_until_the_tick_first_runs(client):
    assert value(scrape(client), "oncall_handoff_tick_age_seconds") is None
    heartbeat_record(name=HANDOFF_TICK, duration_seconds=0.1)
    assert value(scrape(client), "oncall_handoff_tick_age_seconds") is not None


@pytest.mark.django_db
def test_each_watchdog_alert_shows_whether_it_fires(client):
    now = timezone.now()
    watchdog.record(watchdog.Finding(watchdog.TICK_STALE, True, "stale"), now)
    watchdog.record(watchdog.Finding(watchdog.DELIVERY_FAILING, False, "delivered"), now)
    text = scrape(client)
    assert value(text, "oncall_watchdog_alert_firing", alert=watchdog.TICK_STALE) == 1
    assert value(text, "oncall_watchdog_alert_firing", alert=watchdog.DELIVERY_FAILING) == 0


@pytest.mark.django_db
def test_the_handoff_tick_is_timed_and_handoffs_counted(client):
    before = scrape(client)
    team = TeamFactory()
    today = local_today(team, timezone.now())
    ScheduleFactory(team=team, engineer_slack_id="U_BOB", start_date=today, end_date=today)
    handoff_tick.apply()  # fans out to process_handoffs; run that batch here too
    process_handoffs.apply(args=[[str(team.pk)]])
    after = scrape(client)
    name = "oncall_handoff_tick_duration_seconds_count"
    assert value(after, name) == value(before, name) + 1
    assert value(after, "oncall_handoffs_total") == value(before, "oncall_handoffs_total") + 1
    assert 0 <= value(after, "oncall_handoff_tick_age_seconds") < 5


@pytest.mark.django_db
def test_slack_calls_are_counted_by_method_and_result_429s_apart(client, fake_slack):
    before = scrape(client)
    slack.post_message(channel="C_OPS", text="one")
    fake_slack.script(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
    with pytest.raises(slack.SlackRetryLater):
        slack.post_message(channel="C_OPS", text="two")
    fake_slack.script(500)
    with pytest.raises(slack.SlackRetryLater):
        slack.post_message(channel="C_OPS", text="three")
    fake_slack.script(200, {"ok": False, "error": "channel_not_found"})
    with pytest.raises(slack.SlackRefused):
        slack.post_message(channel="C_GONE", text="four")
    after = scrape(client)
    for result in ("ok", "rate_limited", "server_error", "refused"):
        labels = {"method": "chat.postMessage", "result": result}
        grown = value(after, "oncall_slack_api_calls_total", **labels) - (
            value(before, "oncall_slack_api_calls_total", **labels) or 0
        )
        assert grown == 1, result


@pytest.mark.django_db
def test_a_scrape_costs_the_same_few_queries_whatever_the_number_of_teams(
    client, django_assert_max_num_queries
):
    heartbeat_record(name=HANDOFF_TICK, duration_seconds=0.1)
    for n in range(2):
        TeamFactory(oncall_engineer=f"U_{n}")
    scrape(client)
    with django_assert_max_num_queries(6):  # coverage-gap figures from the cache
        scrape(client)
    for n in range(30):
        TeamFactory(oncall_engineer=f"U_MORE{n}")
    cache.delete(COVERAGE_CACHE_KEY)
    with django_assert_max_num_queries(9):  # and worked out: three queries for every team
        scrape(client)

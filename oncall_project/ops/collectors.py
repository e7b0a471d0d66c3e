"""Metrics read from the database at scrape time: what every node shares, counted once,
whichever processes did the work (a worker on another host, a web process since restarted)."""

import datetime
from collections.abc import Iterator

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from audit.models import AuditLog
from escalation.models import Escalation
from oncall_project.base.outbox.models import Notification, NotificationStatus
from oncall_project.telemetry.heartbeats import HANDOFF_TICK, heartbeat_at
from oncall_project.telemetry.models import Alert
from schedules.api.coverage import team_gaps
from teams.models import Team

COVERAGE_DAYS = 14
COVERAGE_CACHE_KEY = "ops:metrics:coverage-gap-days"
TIME_TO_ACK_BUCKETS = (60, 300, 600, 900, 1800, 3600, 7200, 14400)


class DatabaseCollector:
    """A prometheus-client collector for one scrape (registered on a fresh registry)."""

    def __init__(self, now: datetime.datetime | None = None):
        self.now = now or timezone.now()

    def collect(self) -> Iterator[Metric]:
        yield from notifications(self.now)
        yield from escalations()
        yield from handoff_tick(self.now)
        yield from alerts()
        yield from coverage_gap_days()


def notifications(now: datetime.datetime) -> Iterator[Metric]:
    by_status = GaugeMetricFamily(
        "oncall_notifications", "Outbox notifications by status.", labels=["status"]
    )
    counts = dict(Notification.objects.values_list("status").annotate(n=Count("pk")))
    for status in NotificationStatus.values:
        by_status.add_metric([status], counts.get(status, 0))
    yield by_status
    oldest = Notification.objects.filter(status=NotificationStatus.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    yield GaugeMetricFamily(
        "oncall_notification_oldest_pending_age_seconds",
        "Age of the oldest notification still pending (0 when none is).",
        value=(now - oldest).total_seconds() if oldest else 0.0,
    )


def escalations() -> Iterator[Metric]:
    """Opened, acknowledged, resolved and time to acknowledge in one query; climbs from the
    audit log."""
    to_ack = ExpressionWrapper(F("acknowledged_at") - F("created_at"), output_field=DurationField())
    acked = Q(acknowledged_at__isnull=False)
    within = {
        f"le_{seconds}": Count(
            "pk",
            filter=acked
            & Q(acknowledged_at__lte=F("created_at") + datetime.timedelta(seconds=seconds)),
        )
        for seconds in TIME_TO_ACK_BUCKETS
    }
    row = Escalation.objects.aggregate(
        opened=Count("pk"),
        acknowledged=Count("pk", filter=acked),
        resolved=Count("pk", filter=Q(resolved_at__isnull=False)),
        total=Sum(to_ack),
        **within,
    )
    climbed = AuditLog.objects.filter(entity_type="escalation", action="escalated").count()
    yield CounterMetricFamily("oncall_escalations_opened", "Escalations opened.", row["opened"])
    yield CounterMetricFamily(
        "oncall_escalations_acknowledged", "Escalations acknowledged.", row["acknowledged"]
    )
    yield CounterMetricFamily(
        "oncall_escalations_resolved", "Escalations resolved.", row["resolved"]
    )
    yield CounterMetricFamily(
        "oncall_escalations_climbed", "Escalation climbs (a level up, unacknowledged).", climbed
    )
    buckets = [(str(float(s)), row[f"le_{s}"]) for s in TIME_TO_ACK_BUCKETS]
    total = row["total"] or datetime.timedelta(0)
    yield HistogramMetricFamily(
        "oncall_escalation_time_to_ack_seconds",
        "Time from an escalation's page to its acknowledgement.",
        buckets=[*buckets, ("+Inf", row["acknowledged"])],
        sum_value=total.total_seconds(),
    )


def handoff_tick(now: datetime.datetime) -> Iterator[Metric]:
    at = heartbeat_at(HANDOFF_TICK)
    if at is not None:
        yield GaugeMetricFamily(
            "oncall_handoff_tick_age_seconds",
            "Seconds since the handoff tick last ran (absent: it never ran).",
            value=(now - at).total_seconds(),
        )


def alerts() -> Iterator[Metric]:
    firing = GaugeMetricFamily(
        "oncall_watchdog_alert_firing", "1 while a watchdog alert fires.", labels=["alert"]
    )
    for name, is_firing in Alert.objects.values_list("name", "firing"):
        firing.add_metric([name], 1 if is_firing else 0)
    yield firing


def coverage_gap_days() -> tuple[Metric, Metric]:
    """Days with nobody on call in each active team's next 14 on-call days.

    The /coverage-gaps/ selector takes three queries whatever the number of teams, but about
    two seconds for 1,000 teams (bench/metrics_scrape.py): the figures are kept in the cache
    for METRICS_COVERAGE_CACHE_SECONDS, so most scrapes read them from there."""
    days = cache.get(COVERAGE_CACHE_KEY)
    if days is None:
        days = gap_days_by_team()
        cache.set(COVERAGE_CACHE_KEY, days, settings.METRICS_COVERAGE_CACHE_SECONDS)
    family = GaugeMetricFamily(
        "oncall_coverage_gap_days",
        f"On-call days with nobody on call in the next {COVERAGE_DAYS} days, per active team.",
        labels=["team"],
    )
    unreadable = GaugeMetricFamily(
        "oncall_team_unreadable",
        "1 for an active team whose on-call cannot be worked out (its time zone is no longer in "
        "the server's tz database, say): its services page its default engineer and their own "
        "fallbacks. Such a team has no coverage figure.",
        labels=["team"],
    )
    for slug, count in days.items():
        if count is None:
            unreadable.add_metric([slug], 1)
        else:
            family.add_metric([slug], count)
    return family, unreadable


def gap_days_by_team() -> dict[str, int | None]:
    """Team slug → its gap days; None for a team whose on-call cannot be worked out."""
    teams = list(Team.objects.filter(is_active=True).order_by("slug"))
    return {
        row["team"].slug: None if row["gaps"] is None else sum(g.days for g in row["gaps"])
        for row in team_gaps(teams, COVERAGE_DAYS)
    }

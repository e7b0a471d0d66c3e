"""Prometheus instruments that the apps increment (Slack calls, handoffs, requests, task
failures). Each process counts its own; with PROMETHEUS_MULTIPROC_DIR set (before the process
starts), every process writes its counts to a file in that folder and /metrics adds them up,
so a count made in a Celery worker shows on a web node of the same host.

What the database knows (notifications, escalations, coverage gaps, the tick's age) is not
counted here: /metrics reads it at scrape time (oncall_project.ops.collectors)."""

from prometheus_client import Counter, Histogram

http_requests = Counter(
    "oncall_http_requests",
    "HTTP requests answered, by route pattern, method and status.",
    ["route", "method", "status"],
)
http_request_duration = Histogram(
    "oncall_http_request_duration_seconds",
    "Time to answer an HTTP request, by route pattern and method.",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
slack_api_calls = Counter(
    "oncall_slack_api_calls",
    "Slack Web API calls by method and result "
    "(ok, rate_limited, server_error, refused, unreachable).",
    ["method", "result"],
)
handoff_tick_duration = Histogram(
    "oncall_handoff_tick_duration_seconds",
    "Time the handoff tick took to find the due teams and fan them out.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
handoffs = Counter("oncall_handoffs", "Teams handed off (one per team per handoff).")
celery_task_failures = Counter(
    "oncall_celery_task_failures",
    "Celery tasks that ended in an exception (retries not counted), by task name.",
    ["task"],
)


def slack_call(method: str, result: str) -> None:
    slack_api_calls.labels(method=method, result=result).inc()


def slack_result(status: int) -> str:
    """A failed call's result label: 429s apart from server errors and refusals."""
    if status == 429:
        return "rate_limited"
    return "server_error" if status >= 500 else "refused"


def handoffs_done(count: int) -> None:
    if count:
        handoffs.inc(count)


def celery_task_failed(task: str) -> None:
    celery_task_failures.labels(task=task).inc()


def http_request(*, route: str, method: str, status: int, seconds: float) -> None:
    http_requests.labels(route=route, method=method, status=str(status)).inc()
    http_request_duration.labels(route=route, method=method).observe(seconds)

"""GET /metrics in Prometheus' text format.

Counters the processes keep (requests, Slack calls, handoffs, task failures) come from this
process, or with PROMETHEUS_MULTIPROC_DIR from every process of the host that writes to that
folder; what the database knows is read at scrape time (collectors.py). Access: with
METRICS_TOKEN set, `Authorization: Bearer <token>`; unset, loopback clients only."""

import hmac
import ipaddress

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

from oncall_project.ops.collectors import DatabaseCollector


def refusal(request: HttpRequest) -> HttpResponse | None:
    """Why this client may not read the metrics, or None when it may."""
    token = settings.METRICS_TOKEN
    if token:
        scheme, _, given = request.headers.get("Authorization", "").strip().partition(" ")
        # The scheme word is case-insensitive (RFC 9110); the token alone, without it, is not
        # a bearer token
        if scheme.lower() == "bearer" and hmac.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return None
        response = JsonResponse({"detail": "A valid bearer token is required."}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    if is_local(request):
        return None
    detail = "Metrics answer loopback clients only; set METRICS_TOKEN to scrape from elsewhere."
    return JsonResponse({"detail": detail}, status=403)


def is_local(request: HttpRequest) -> bool:
    """A loopback client that no proxy forwarded: a reverse proxy on the same host connects
    from loopback on behalf of anyone, and says so in its forwarding headers."""
    if "X-Forwarded-For" in request.headers or "Forwarded" in request.headers:
        return False
    try:
        return ipaddress.ip_address(request.META.get("REMOTE_ADDR", "")).is_loopback
    except ValueError:
        return False


def process_metrics() -> bytes:
    folder = settings.PROMETHEUS_MULTIPROC_DIR
    if not folder:
        return generate_latest(REGISTRY)
    registry = CollectorRegistry()
    MultiProcessCollector(registry, path=folder)
    return generate_latest(registry)


def database_metrics() -> bytes:
    registry = CollectorRegistry()
    registry.register(DatabaseCollector())
    return generate_latest(registry)


def metrics(request: HttpRequest) -> HttpResponse:
    refused = refusal(request)
    if refused is not None:
        return refused
    body = process_metrics() + database_metrics()
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)

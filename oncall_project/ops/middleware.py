"""First in the middleware chain: the probes and /metrics, and the request log.

Load balancers and Prometheus call a node by its address, a Host that ALLOWED_HOSTS need not
list, and probes must not depend on sessions or a login: ProbeMiddleware answers them before
any host check. RequestMetricsMiddleware times every other request and logs it (one JSON
object per line with LOG_FORMAT=json)."""

import functools
import logging
import re
import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from oncall_project.ops import probes
from oncall_project.ops.metrics import metrics
from oncall_project.telemetry import instruments

access_log = logging.getLogger("oncall.requests")


def healthz(request: HttpRequest) -> HttpResponse:
    """The process answers; nothing else is asked (no database)."""
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks = probes.readiness()
    ready = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ready else "not ready",
        "checks": {name: {"ok": c.ok, "detail": c.detail} for name, c in checks.items()},
    }
    return JsonResponse(body, status=200 if ready else 503)


PROBES = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = PROBES.get(request.path.rstrip("/"))
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return JsonResponse({"detail": "Method not allowed."}, status=405)
        response = probe(request)
        response["Cache-Control"] = "no-store"
        # A load balancer asks every few seconds: a 503 here is an answer, not an error to log
        # with Django's request logger each time (the body and /metrics say what failed).
        response._has_been_logged = True
        return response


STATIC_PREFIX = f"/{settings.STATIC_URL.lstrip('/')}"
NAMED_GROUP = re.compile(r"\(\?P<(\w+)>[^)]*\)")


def route_of(request: HttpRequest) -> str:
    """The URL pattern that answered (bounded label values), never the path itself; a DRF
    router's regex reads like a path pattern: api/v1/teams/<team>/."""
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "static" if request.path.startswith(STATIC_PREFIX) else "unmatched"
    return _route_label(match.route)


@functools.lru_cache(maxsize=1024)
def _route_label(route: str) -> str:
    """A route's label, worked out once per route (the URL conf's patterns are few)."""
    return NAMED_GROUP.sub(r"<\1>", route.replace("^", "").replace("$", ""))


def user_of(request: HttpRequest) -> str:
    """The signed-in user or the API token's name (a token belongs to a user of that name)."""
    user = getattr(request, "user", None)
    return user.get_username() if user is not None and user.is_authenticated else ""


class RequestMetricsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        route = route_of(request)
        instruments.http_request(
            route=route, method=request.method, status=response.status_code, seconds=seconds
        )
        access_log.info(
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "request_id": response.get("X-Request-ID", ""),
                "user": user_of(request),
                "route": route,
                "method": request.method,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
        return response

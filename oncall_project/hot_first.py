"""The bot's lookups ahead of the middleware they do not need: the WSGI application.

A plain GET of `/oncall/`, `/oncall/mentions/` or `/services/lookup/` — no cookie, no body —
is first offered to the lookup's hot path (`services.api.hot`) through a shorter middleware
chain: the middleware that can act on such a request or its answer (the request log and
metrics, the security and frame headers, the host and user-agent checks, the query text check,
the request id), in their usual order, and none of those that act only on cookies, sessions,
bodies, pages or sign-ins (SKIPPED says why each has nothing to do). Whatever the hot path does
not answer itself — a bad token, a throttled one, bad input, an unknown service, API_HOT_PATH
off — goes to Django's full handler as it arrives, and is answered as ever: authentication,
throttling, permissions and answers stay the API's (tests/test_hot_first.py compares both
handlers' answers, headers included)."""

import logging

from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIHandler
from django.urls import resolve, reverse
from django.utils.module_loading import import_string

from services.api.hot import DECLINED

# Middleware with nothing to do for a lookup taken here (no cookie, no body, a GET), and why.
SKIPPED = {
    "oncall_project.ops.middleware.ProbeMiddleware": "answers /healthz, /readyz, /metrics only",
    "whitenoise.middleware.WhiteNoiseMiddleware": "serves static files only",
    "django.contrib.sessions.middleware.SessionMiddleware": "no cookie: no session",
    "django.middleware.csrf.CsrfViewMiddleware": "a GET, to a csrf_exempt view",
    "django.contrib.auth.middleware.AuthenticationMiddleware": "no session; the token's user "
    "is set by the hot path's own token check",
    "oncall_project.base.viewer_zone.ViewerTimeZoneMiddleware": "no cookie: the default zone",
    "oncall_project.request_limits.RequestBodyLimitMiddleware": "no body",
    "django.contrib.messages.middleware.MessageMiddleware": "no cookie, no session",
    "django_htmx.middleware.HtmxMiddleware": "pages only",
    "simple_history.middleware.HistoryRequestMiddleware": "a lookup writes nothing",
    "oncall_project.base.pages.EngineErrorMiddleware": "pages only; the hot path hands any "
    "error to the API view",
    "axes.middleware.AxesMiddleware": "sign-ins only",
}
HOT_ROUTES = ("oncall", "oncall-mentions", "service-lookup")

logger = logging.getLogger(__name__)


class Declined(Exception):
    """The hot path does not answer this request: Django's full handler does."""


class HotPathHandler(WSGIHandler):
    """Django's WSGI handler, with the shorter chain around the hot path's answer. Nothing
    wraps the chain's exceptions into responses: a declined request leaves it as `Declined`."""

    def load_middleware(self, is_async: bool = False) -> None:
        chain = self._answer
        for path in reversed([m for m in settings.MIDDLEWARE if m not in SKIPPED]):
            chain = import_string(path)(chain)
        self._middleware_chain = chain
        self._matches = {}

    def _answer(self, request):
        match = self._matches.get(request.path_info)
        if match is None:
            match = self._matches[request.path_info] = resolve(request.path_info)
        request.resolver_match = match  # the route the request log and metrics name
        response = match.func.plain_case(request)
        if response is None:
            raise Declined
        return response


class Application:
    def __init__(self) -> None:
        self.django = WSGIHandler()
        self.hot = HotPathHandler()
        self.paths = frozenset(reverse(name) for name in HOT_ROUTES)

    def __call__(self, environ, start_response):
        if self._plain(environ):
            try:
                return self.hot(environ, start_response)
            except Declined:
                pass
            except SuspiciousOperation:  # a Host not allowed, say: the full handler answers
                environ[DECLINED] = True  # it its way (a 400, logged once)
            except Exception:  # a fault (the cache down, say): the API view answers it, and
                # the hot path is not tried a second time
                environ[DECLINED] = True
                logger.warning("hot path handed %s on", environ.get("PATH_INFO"), exc_info=True)
        return self.django(environ, start_response)

    def _plain(self, environ) -> bool:
        return (
            environ.get("PATH_INFO") in self.paths
            and environ.get("REQUEST_METHOD") == "GET"
            and not environ.get("HTTP_COOKIE")
            and environ.get("CONTENT_LENGTH", "") in ("", "0")
            and not environ.get("HTTP_TRANSFER_ENCODING")
        )

"""The bot's hot path: `/oncall/?service=`, `/oncall/mentions/` and `/services/lookup/` for a
token client, without the framework's per-request cost, over answers kept as rendered bytes.

Each lookup still reads its services and their teams (one query: `active_service_rows`). An
answer is kept with the rows and the teams' on-call dates it was worked out from, and served
again while both are equal: a change to a service or its team (every write that can change who
is on call bumps the team's `oncall_version`, one of the columns) or a new on-call day is a
miss, never a stale answer, as in `schedules.oncall_now`.

Only the plain case is answered here: GET, a token (checked by the API's own
`ApiTokenAuthentication`), exactly the usual parameters, no `Accept` but `*/*`, known services,
the token within its rate (the API's own throttle, counted first). Anything else — a session, a
bad token, bad input, an unknown service, `?at=`, a throttled token, API_HOT_PATH off — goes to
the DRF view, which answers as it always has (without counting the token's request again):
authentication, permissions, throttling and errors stay the framework's. A miss renders with the
DRF view's own renderers, so the bytes are the same (tests/services/test_hot_path.py compares
them, headers included)."""

import datetime
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from rest_framework import renderers, serializers
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import IsAuthenticated

from oncall_project.base.api.auth import (
    COUNTED_TOKEN,
    ApiTokenAuthentication,
    TokenOverRate,
    TokenRateThrottle,
)
from schedules import oncall_now
from schedules.lines import has_backup_line
from schedules.selectors import local_today
from services.api.lookup import (
    LookupQuerySerializer,
    PlainTextRenderer,
    ServiceLookupSerializer,
    lookup_text,
)
from services.api.lookup import service_facts as lookup_facts
from services.api.oncall import (
    MentionsQuerySerializer,
    OnCallQuerySerializer,
    mentions_answer,
    service_answer,
    service_names,
)
from services.selectors.answers import ServiceOnCall, asked_names, resolve_loaded
from services.selectors.named import active_service_rows, services_from_rows

JSON = renderers.JSONRenderer()
# The fields whose limits a plain request's parameters keep to (the serializers' own)
SERVICE_FIELD = OnCallQuerySerializer().fields["service"]
SERVICES_FIELD = MentionsQuerySerializer().fields["services"]
NAME_FIELD = LookupQuerySerializer().fields["name"]
ANSWERS_PER_TEAM = 4  # kept answers: this many per team the on-call cache keeps
DECLINED = "oncall.hot_path_declined"  # environ key: not the hot path's (no header can set it)

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class Lookup:
    """One endpoint's plain case: its query read as its serializer reads it (None: not the
    plain case), and its answer rendered (None: not a plain answer, e.g. an unknown name)."""

    read: Callable[[QueryDict], tuple[tuple, list[str]] | None]
    render: Callable[[tuple, list[ServiceOnCall], datetime.datetime], Answer | None]
    several_renderers: bool = False


@dataclass(frozen=True)
class _Kept:
    clears: int
    rows: list[tuple]
    teams: tuple
    days: tuple
    answer: Answer


_kept: OrderedDict[tuple, _Kept] = OrderedDict()
_lock = threading.Lock()


def hot(drf_view: Callable, lookup: Lookup) -> Callable:
    """`drf_view`, with `lookup`'s plain case answered first; drf-spectacular and the URL
    tests still see the DRF view (its class and actions)."""

    def plain_case(request: HttpRequest) -> HttpResponse | None:
        """The answer, or None where the DRF view must answer (`oncall_project.hot_first`
        asks this first, ahead of the middleware a plain case does not need). Asked once per
        request: a request declined ahead of the middleware reaches the DRF view straight."""
        if not settings.API_HOT_PATH or request.META.get(DECLINED):
            return None
        if COUNTED_TOKEN in request.META:  # tried once already (ahead of the middleware, where
            return None  # something failed after it answered): never counted twice
        response = _plain_case(request, lookup, drf_view.cls)
        if response is None:
            request.META[DECLINED] = True  # the request's environ, as COUNTED_TOKEN
        return response

    @csrf_exempt
    def view(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return plain_case(request) or drf_view(request, *args, **kwargs)

    view.cls, view.initkwargs, view.actions = drf_view.cls, drf_view.initkwargs, drf_view.actions
    view.plain_case = plain_case
    return view


def _plain_case(request: HttpRequest, lookup: Lookup, view_class: type) -> HttpResponse | None:
    if request.method != "GET" or request.META.get("HTTP_ACCEPT", "*/*") != "*/*":
        return None
    if not _frame_as_expected(view_class):
        return None
    # The token's request is counted first (refused first: a throttled token's lookup is never
    # worked out), in the same round trip as the token's check where the token is kept.
    authentication = ApiTokenAuthentication(throttle=TokenRateThrottle())
    try:
        found = authentication.authenticate(request)
    except (AuthenticationFailed, TokenOverRate):
        return None
    if found is None:
        return None
    request.user, auth_token = found
    if authentication.counted:  # the API view, answering instead, does not count it again
        # In the request's environ: the full handler, answering a request the hot path took
        # ahead of the middleware (`oncall_project.hot_first`), reads the same environ.
        request.META[COUNTED_TOKEN] = auth_token.digest
    try:
        answer = _answer(request.GET, lookup)
    except Exception:  # DRF's view meets it again and answers it its own way: a 409 for
        # data the engine cannot read, its handler's answer, or a 500 for a bug
        logger.warning("hot path handed %s to the API view", request.path, exc_info=True)
        return None
    if answer is None:
        return None
    response = HttpResponse(answer.body, content_type=answer.content_type)
    response["Allow"] = "GET, HEAD, OPTIONS"
    if lookup.several_renderers:
        response["Vary"] = "Accept"
    return response


def _frame_as_expected(view_class: type) -> bool:
    """The checks done here are the view's: a token, logged in, the token throttle."""
    return (
        view_class.authentication_classes[0] is ApiTokenAuthentication
        and list(view_class.permission_classes) == [IsAuthenticated]
        and list(view_class.throttle_classes) == [TokenRateThrottle]
    )


def _answer(params: QueryDict, lookup: Lookup) -> Answer | None:
    query = lookup.read(params)
    if query is None:
        return None
    key, names = query
    rows = active_service_rows(asked_names(names))
    now = timezone.now()
    with _lock:
        kept = _kept.get(key)
    if (
        kept is not None
        and kept.clears == oncall_now.clears()
        and kept.rows == rows
        and all(local_today(t, now) == d for t, d in zip(kept.teams, kept.days, strict=True))
    ):
        return kept.answer
    clears = oncall_now.clears()
    services = services_from_rows(rows)
    results = resolve_loaded(names, services, now)
    answer = lookup.render(key, results, now)
    teams = tuple(s.team for s in services if s.team is not None)
    # A backup line hands off at its own time: its answer is not kept by the primary's day.
    # Nor is an answer to names that are no service: anyone could fill the memory with those;
    # nor one without its team's (no on-call day to keep it by).
    if (
        answer is not None
        and all(result.known and not result.answer.team_error for result in results)
        and oncall_now.may_keep()
        and not any(map(has_backup_line, teams))
    ):
        days = tuple(local_today(t, now) for t in teams)
        _keep(key, _Kept(clears, rows, teams, days, answer))
    return answer


def _keep(key: tuple, kept: _Kept) -> None:
    with _lock:
        _kept[key] = kept
        _kept.move_to_end(key)
        while len(_kept) > settings.ONCALL_CACHE_TEAMS * ANSWERS_PER_TEAM:
            _kept.popitem(last=False)


def clear() -> None:
    """Forget every kept answer (tests)."""
    with _lock:
        _kept.clear()


# --- the three lookups ------------------------------------------------------------------------


def _text(value: str, field: serializers.CharField) -> str | None:
    """A value as the serializer's `field` (a CharField) takes it, or None where it would
    refuse it."""
    value = value.strip()
    if not value or len(value) > field.max_length or "\x00" in value:
        return None
    if any("\ud800" <= c <= "\udfff" for c in value):
        return None
    return value


def _only(params: QueryDict, expected: dict[str, str | None]) -> dict[str, str] | None:
    """The parameters, if they are exactly `expected`'s names, each once (and equal to the
    value given there, where one is)."""
    if set(params) != set(expected) or any(len(params.getlist(k)) != 1 for k in expected):
        return None
    if any(value is not None and params[k] != value for k, value in expected.items()):
        return None
    return {k: params[k] for k in expected}


def _read_service(params: QueryDict) -> tuple[tuple, list[str]] | None:
    given = _only(params, {"service": None})
    name = given and _text(given["service"], SERVICE_FIELD)
    return (("service", name), [name]) if name else None


def _render_service(key: tuple, results: list[ServiceOnCall], now) -> Answer | None:
    if not results[0].known:
        return None
    return Answer(JSON.render(service_answer(results[0], now)), JSON.media_type)


def _read_mentions(params: QueryDict) -> tuple[tuple, list[str]] | None:
    given = _only(params, {"services": None})
    value = given and _text(given["services"], SERVICES_FIELD)
    if not value:
        return None
    try:
        names = service_names(value)
    except serializers.ValidationError:
        return None
    return ("mentions", *names), names


def _render_mentions(key: tuple, results: list[ServiceOnCall], now) -> Answer:
    return Answer(JSON.render(mentions_answer(results)), JSON.media_type)


def _read_lookup(params: QueryDict) -> tuple[tuple, list[str]] | None:
    """`?name=` as JSON, or with `format=text` as the text block."""
    text = "format" in params
    given = _only(params, {"name": None, "format": "text"} if text else {"name": None})
    name = given and _text(given["name"], NAME_FIELD)
    return (("lookup", text, name), [name]) if name else None


def _render_lookup(key: tuple, results: list[ServiceOnCall], now) -> Answer | None:
    if not results[0].known:
        return None
    facts = lookup_facts(results[0])
    if key[1]:  # as text
        renderer = PlainTextRenderer()
        content_type = f"{renderer.media_type}; charset={renderer.charset}"
        return Answer(renderer.render(lookup_text(facts)), content_type)
    return Answer(JSON.render(ServiceLookupSerializer(facts).data), JSON.media_type)


SERVICE = Lookup(_read_service, _render_service)
MENTIONS = Lookup(_read_mentions, _render_mentions)
LOOKUP = Lookup(_read_lookup, _render_lookup, several_renderers=True)

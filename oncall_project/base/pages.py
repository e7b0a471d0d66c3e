"""What every page view shares: who acts, running one action, and showing its domain errors.

Pages never check permissions themselves: the actions do. A refused action becomes the 403
page, a missing object the 404 page, and any other domain error a message on the form."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

from oncall_project.base.actors import Actor
from oncall_project.base.api.pagination import NewestFirstPagination
from oncall_project.base.counting import Count
from oncall_project.base.errors import DomainError, Forbidden, NotFound, engine_errors
from oncall_project.base.text import shown

PAGE_SIZE = 50


def page_actor(request: HttpRequest) -> Actor:
    return Actor.from_user(request.user, "page")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any = None


def show_error(form: forms.Form, exc: DomainError) -> None:
    """Field messages next to their fields; the rest, and the full message, above the form."""
    said = []
    for field, field_messages in exc.errors.items():
        target = field if field in form.fields else None
        form.add_error(target, [shown(message) for message in field_messages])
        said.extend(field_messages)
    if exc.message not in said:
        form.add_error(None, shown(exc.message))


def run_action(form: forms.Form, action: Callable[..., Any], /, **kwargs: Any) -> Outcome:
    """Call one action; on a domain error put its messages on `form` and report failure.

    The action runs in its own transaction, so a failure has changed nothing."""
    try:
        return Outcome(True, action(**kwargs))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        show_error(form, exc)
    except engine_errors() as exc:
        form.add_error(None, str(exc))
    return Outcome(False)


def page_allowed(check: Callable[..., None], /, **kwargs: Any) -> None:
    """A form is shown only to whom its action would allow: `check` (the action's own
    `ensure_…`) refusing is the 403 page, in the action's words."""
    try:
        check(**kwargs)
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc


def run_button(request: HttpRequest, action: Callable[..., Any], /, **kwargs: Any) -> Outcome:
    """A write from a button, with no form to hold errors: a refusal is the 403 page, any
    other domain error a banner on the next page."""
    try:
        return Outcome(True, action(actor=page_actor(request), **kwargs))
    except Forbidden as exc:
        raise PermissionDenied(exc.message) from exc
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
    return Outcome(False)


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where a button asks to go back to, if it is a page of this site."""
    target = request.POST.get("next", "")
    allowed = url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    return target if target and allowed else fallback


def paginate(request: HttpRequest, queryset, per_page: int = PAGE_SIZE) -> Page:
    """One COUNT and one page of rows, whatever the size of the table."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


@dataclass(frozen=True)
class NewestFirstPage:
    """A page of a list that grows forever, with links to the newer and older pages and how
    many entries the list holds (exact up to 10,000, else "more than 10,000")."""

    object_list: list
    count: Count
    newer_url: str | None
    older_url: str | None


class _PagePagination(NewestFirstPagination):
    page_size = PAGE_SIZE
    page_size_query_param = None

    def decode_cursor(self, request):
        try:
            return super().decode_cursor(request)
        except ValidationError:
            return None  # an old or edited link: the first page


def paginate_newest_first(request: HttpRequest, queryset) -> NewestFirstPage:
    """One bounded COUNT and one page of rows, read from where the last page ended (`?cursor=`)
    through an index on (created_at, id): the same cost on the last page as on the first."""
    pager = _PagePagination()
    rows = pager.paginate_queryset(queryset, Request(request))
    newer, older = pager.get_previous_link(), pager.get_next_link()
    return NewestFirstPage(rows, pager.count, _on_this_page(newer), _on_this_page(older))


def _on_this_page(link: str | None) -> str | None:
    """A link as its query alone: the page's own scheme and host, whatever a proxy says."""
    return None if link is None else f"?{urlsplit(link).query}"


def query_without_page(request: HttpRequest) -> str:
    """The current filters as a query string, for the pager's links."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


TEAM_PAGES = {"teams", "schedules"}  # the URL namespaces whose `slug` names a team


class EngineErrorMiddleware:
    """Stored data the engine cannot read (a team's time zone that a tzdata update removed)
    ends a page with a page that says what to fix, not a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception):
        if not isinstance(exception, engine_errors()):
            return None
        message = f"The on-call cannot be worked out: {exception}"
        # On a team's page, a way to fix it: the team's settings (its time zone, say).
        match = request.resolver_match
        team = match.kwargs.get("slug") if match and match.namespace in TEAM_PAGES else None
        return render(request, "409.html", {"message": message, "team": team}, status=409)

"""The viewer's time zone: their directory entry's (from Slack or their profile), for the
request. Pages show times in a team's zone with the viewer's beside it, and the audit trail in
the viewer's; a viewer whose zone is not known reads everything in the team's zone (and the
audit trail in UTC), as before. Django's own `timezone` is activated too, for `|date`."""

import zoneinfo
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

_viewer_zone: ContextVar[zoneinfo.ZoneInfo | None] = ContextVar("viewer_zone", default=None)


def current() -> zoneinfo.ZoneInfo | None:
    """The zone of whoever the page is rendered for, or None when not known."""
    return _viewer_zone.get()


def zone_of(user) -> zoneinfo.ZoneInfo | None:
    """A signed-in user's zone, from their person (loaded with the user: no query)."""
    if not getattr(user, "is_authenticated", False):
        return None
    name = getattr(getattr(user, "person", None), "timezone", "") or ""
    try:
        return zoneinfo.ZoneInfo(name) if name else None
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None  # a zone a tzdata update removed: as if not known


class ViewerTimeZoneMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_of(request.user) if request.session.session_key else None
        token = _viewer_zone.set(zone)
        if zone is not None:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
            _viewer_zone.reset(token)

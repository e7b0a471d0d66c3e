"""Reads of services and of the teams they name, each in one query."""

import uuid

from django.db.models import Q, QuerySet

from services.models import Service
from teams.models import Team
from teams.selectors import team_ref_q


def service_list() -> QuerySet[Service]:
    """Services with their team, in one query."""
    return Service.objects.select_related("team")


def team_by_ref_or_name(ref: str) -> Team | None:
    """A team by id, slug or name (any case), preferring an id or slug match; one query."""
    ref = ref.strip()
    by_ref = team_ref_q(ref)
    found = list(Team.objects.filter(by_ref | Q(name__iexact=ref)).order_by("-is_active")[:5])
    exact = [t for t in found if t.slug == ref or _same_id(t, ref)]
    return (exact or found or [None])[0]


def _same_id(team: Team, ref: str) -> bool:
    try:
        return team.pk == uuid.UUID(ref)
    except ValueError:
        return False

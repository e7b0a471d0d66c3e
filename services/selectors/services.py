"""Reads of services, each in one query."""

from django.db.models import QuerySet

from services.models import Service


def service_list() -> QuerySet[Service]:
    """Services with their team, in one query."""
    return Service.objects.select_related("team", "team__backup_line")

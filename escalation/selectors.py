"""Reads of escalations, each in a fixed number of queries."""

import datetime

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery

from escalation.domain import MAX_LEVEL
from escalation.models import Escalation, EscalationStatus
from oncall_project.base.outbox.models import Notification


def escalation_list() -> QuerySet[Escalation]:
    """Escalations with the delivery status of their latest page (not of the acknowledgement's
    edits and reply): one query."""
    latest = Notification.objects.filter(escalation=OuterRef("pk"), kind="escalation").order_by(
        "-created_at"
    )
    return Escalation.objects.annotate(delivery=Subquery(latest.values("status")[:1])).order_by(
        "-created_at", "pk"
    )


def escalations_overdue(now: datetime.datetime) -> list[tuple[object, int]]:
    """(id, token) of each open escalation whose climb is overdue by more than the grace
    period: its climb task was lost (a broker that restarted, a worker that died holding it).
    One query along the (status, ack_deadline) index."""
    grace = datetime.timedelta(seconds=settings.ESCALATION_SWEEP_GRACE_SECONDS)
    overdue = Escalation.objects.filter(
        status=EscalationStatus.OPEN, ack_deadline__lte=now - grace, level__lt=MAX_LEVEL
    )
    return list(overdue.order_by("ack_deadline").values_list("pk", "token")[:500])

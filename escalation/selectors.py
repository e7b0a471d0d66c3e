"""Reads of escalations, each in a fixed number of queries."""

from django.db.models import OuterRef, QuerySet, Subquery

from escalation.models import Escalation
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

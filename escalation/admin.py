from django.contrib import admin
from django.contrib.auth import get_permission_codename

from escalation.actions import escalation_acknowledge, escalation_resolve
from escalation.models import Escalation, EscalationStatus
from oncall_project.base.admin_actions import ActionAdmin, run_each
from oncall_project.base.admin_reading import ReadOnlyAdminMixin
from oncall_project.base.errors import Conflict
from teams.pickers import PersonPickerAdmin

# Each answer: its action, the statuses it moves on from, and what the message says was done.
OPEN, ACKNOWLEDGED = EscalationStatus.OPEN, EscalationStatus.ACKNOWLEDGED
ANSWERS = {
    "acknowledge": (escalation_acknowledge, {OPEN}, "Acknowledged"),
    "resolve": (escalation_resolve, {OPEN, ACKNOWLEDGED}, "Resolved"),
}


@admin.register(Escalation)
class EscalationAdmin(PersonPickerAdmin, ReadOnlyAdminMixin, ActionAdmin):
    """Raised by the bug bot's API, never edited; answered here (an operator allowed to change
    escalations acknowledges or resolves the selected ones, as staff), from Slack or the API."""

    named_columns = ("acknowledged_by", "resolved_by")

    list_display = (
        "bug_id",
        "severity",
        "level",
        "status",
        "acknowledged_by",
        "resolved_by",
        "ack_deadline",
        "created_at",
    )
    list_filter = ("status", "level", "severity")
    search_fields = (
        "bug_id",
        "channel_id",
        "thread_ts",
        "acknowledged_by",
        "resolved_by",
        "created_by",
    )
    date_hierarchy = "created_at"
    actions = ["acknowledge_selected", "resolve_selected"]

    def has_answer_permission(self, request) -> bool:
        """Answering writes: for operators who may change escalations, not those who look."""
        return request.user.has_perm(f"escalation.{get_permission_codename('change', self.opts)}")

    @admin.action(description="Acknowledge selected escalations", permissions=["answer"])
    def acknowledge_selected(self, request, queryset):
        self._answer(request, queryset, "acknowledge")

    @admin.action(description="Resolve selected escalations", permissions=["answer"])
    def resolve_selected(self, request, queryset):
        self._answer(request, queryset, "resolve")

    def _answer(self, request, queryset, how: str) -> None:
        """Each selected escalation answered, as staff; one already past that answer is
        reported, not counted as done."""
        answer, answerable, done = ANSWERS[how]

        def write(escalation: Escalation, actor) -> None:
            if escalation.status not in answerable:
                raise Conflict(f"Already {escalation.status}; nothing to do.")
            answer(escalation_id=escalation.pk, actor=actor)

        run_each(self, request, queryset, write, done)

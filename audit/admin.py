from django.contrib import admin
from django.utils.html import format_html, format_html_join

from audit.admin_search import SearchByIdChangeList
from audit.models import AuditLog
from audit.selectors import actions_recorded
from oncall_project.base.admin_reading import ReadOnlyAdminMixin
from oncall_project.base.counting import CappedPaginator


class ActionFilter(admin.SimpleListFilter):
    """The actions the log holds, found through the action index (the default filter of a
    column without choices reads every row for its values)."""

    title = "action"
    parameter_name = "action"

    def lookups(self, request, model_admin):
        return [(action, action) for action in actions_recorded()]

    def queryset(self, request, queryset):
        return queryset.filter(action=self.value()) if self.value() else queryset


SEARCHED = ("actor_id", "entity_id", "engineer_slack_id", "previous_engineer_slack_id")


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """A change list that costs the same at 10 M entries as at 10: a count that stops at
    10,000 ("more than 10,000"), pages no deeper than that, filters and a search (whole ids,
    SearchByIdChangeList) that indexes serve, and no date hierarchy (it reads every row)."""

    # What fits a laptop's width: the actor's type and the entity's id are on the entry's page.
    list_display = (
        "created_at",
        "entity_type",
        "action",
        "actor_id",
        "team",
        "engineer_slack_id",
    )
    list_filter = (
        "entity_type",
        ActionFilter,
        "actor_type",
        ("created_at", admin.DateFieldListFilter),
    )
    search_fields = searched = SEARCHED
    search_help_text = "A whole Slack id, username or entity id."
    list_select_related = ("team",)
    paginator = CappedPaginator
    show_full_result_count = False
    fields = (
        "created_at",
        "entity_type",
        "entity_id",
        "action",
        "actor_type",
        "actor_id",
        "team",
        "change_table",
        "changes",
        "metadata",
        "engineer_slack_id",
        "previous_engineer_slack_id",
        "change_type",
        "change_reason",
        "effective_date",
        "legacy_id",
    )
    readonly_fields = ("change_table",)

    def get_changelist(self, request, **kwargs):
        return SearchByIdChangeList

    @admin.display(description="Old → new")
    def change_table(self, obj: AuditLog) -> str:
        if not isinstance(obj.changes, dict) or not obj.changes:
            return "—"
        rows = format_html_join(
            "",
            "<tr><th>{}</th><td>{}</td><td>{}</td></tr>",
            (
                (field, _value(change, "old"), _value(change, "new"))
                for field, change in obj.changes.items()
            ),
        )
        return format_html(
            "<table><thead><tr><th>Field</th><th>Old</th><th>New</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            rows,
        )


def _value(change, key: str) -> str:
    value = change.get(key) if isinstance(change, dict) else change
    return "—" if value is None else str(value)

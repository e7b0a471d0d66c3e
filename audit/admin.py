from django.contrib import admin
from django.utils.html import format_html, format_html_join

from audit.models import AuditLog
from oncall_project.base.admin_reading import ReadOnlyAdminMixin


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    # What fits a laptop's width: the actor's type and the entity's id are on the entry's page.
    list_display = (
        "created_at",
        "entity_type",
        "action",
        "actor_id",
        "team",
        "engineer_slack_id",
    )
    list_filter = ("entity_type", "action", "actor_type", ("created_at", admin.DateFieldListFilter))
    search_fields = ("actor_id", "entity_id", "engineer_slack_id", "previous_engineer_slack_id")
    list_select_related = ("team",)
    date_hierarchy = "created_at"
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

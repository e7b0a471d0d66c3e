from django.contrib import admin
from django.db import models

from oncall_project.base.admin_actions import SoftDeleteAdmin
from oncall_project.base.json_input import JSONField
from services import actions
from services.models import Service
from teams.pickers import PersonPickerAdmin


@admin.register(Service)
class ServiceAdmin(PersonPickerAdmin, SoftDeleteAdmin):
    person_fields = ("service_owner", "primary_oncall")
    list_display = (
        "name",
        "team",
        "tier",
        "environment",
        "service_owner",
        "primary_oncall",
        "tech_stack",
        "is_active",
    )
    list_filter = ("team", "tier", "environment", "is_active")
    search_fields = ("name", "service_owner", "primary_oncall", "tech_stack", "team__name")
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    readonly_fields = ("is_active", "legacy_id", "created_at", "updated_at")
    formfield_overrides = {
        models.URLField: {"assume_scheme": "https"},
        models.JSONField: {"form_class": JSONField},
    }
    fieldsets = (
        (None, {"fields": ("name", "team", "tier", "environment", "is_active")}),
        ("Who answers", {"fields": ("service_owner", "primary_oncall", "team_slack_group")}),
        ("Code", {"fields": ("repository_url", "tech_stack", "metadata")}),
        ("Record", {"classes": ("collapse",), "fields": ("legacy_id", "created_at", "updated_at")}),
    )

    def create(self, *, actor, fields):
        return actions.service_create(actor=actor, fields=actions.ServiceFields.parse(fields))

    def update(self, *, obj, actor, changes):
        return actions.service_update(
            service=obj, actor=actor, changes=actions.ServiceFields.parse(changes)
        )

    def delete(self, *, obj, actor):
        actions.service_soft_delete(service=obj, actor=actor)

    def restore(self, *, obj, actor):
        actions.service_restore(service=obj, actor=actor)

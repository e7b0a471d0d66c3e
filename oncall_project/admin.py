"""The admin pages that span apps.

Teams: a team's own fields and its rotation settings are one form, saved by two actions of two
apps (teams, schedules). The audit log: audit's own admin, each person it names shown by name
beside the id (the directory is the teams app's, a layer above audit). API tokens: listed and
revoked (audited), never created here — that is `manage.py create_api_token`, which shows the
token once — and never shown by their digest, the primary key: a hash of the token, so the
list names a token by its key (its first characters, as the audit log does)."""

import knox.admin  # noqa: F401 — knox registers its stock admin first; this one replaces it
from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.db import models
from django.forms import CheckboxInput
from django.http import HttpResponseRedirect
from django.urls import path
from knox.models import get_token_model

from audit.admin import AuditLogAdmin
from audit.models import AuditLog
from oncall_project.base.admin_actions import ActionAdmin, SoftDeleteAdmin, admin_actor
from oncall_project.base.errors import DomainError
from oncall_project.base.json_input import JSONField
from oncall_project.tokens import api_token_revoke
from schedules.actions import rotation_config_update, team_create_with_rotation
from schedules.forms import WEEKDAYS
from teams import actions
from teams.admin import MembershipInline
from teams.models import Team
from teams.pickers import PersonPickerAdmin, person_column
from teams.slack_sync import sync_team_from_slack

# The app list down the side of every admin page takes a quarter of a laptop's width from the
# change lists; the home page and the breadcrumbs lead to every model as well.
admin.site.enable_nav_sidebar = False

AuthToken = get_token_model()
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


# The log's people as the rest of the admin shows them: "Alice Nguyen (U_ALICE)"; an actor that
# is a username, or an id the directory does not name, as it is.
NAMED_IN_LOG = ("actor_id", "engineer_slack_id", "previous_engineer_slack_id")
admin.site.unregister(AuditLog)


@admin.register(AuditLog)
class NamedAuditLogAdmin(PersonPickerAdmin, AuditLogAdmin):
    named_columns = NAMED_IN_LOG
    # The entry's page: each person named (read with the row) in the id's place
    fields = tuple(
        person_column(AuditLog, f) if f in NAMED_IN_LOG else f for f in AuditLogAdmin.fields
    )
    readonly_fields = (
        *AuditLogAdmin.readonly_fields,
        *(person_column(AuditLog, f) for f in NAMED_IN_LOG),
    )


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created", "expiry")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("token_key", f"user__{get_user_model().USERNAME_FIELD}")
    ordering = ("-created",)
    actions = ["revoke_selected"]

    @admin.display(description="Token", ordering="token_key")
    def name(self, obj) -> str:
        return f"{obj.token_key}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Django's delete is not audited: tokens are revoked

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}")

    def get_urls(self):
        """The list, and the add page only to refuse it: every other page would be addressed,
        and titled, by the digest."""
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.changelist_view), name=f"{info}_changelist"),
            path("add/", view(self.add_view), name=f"{info}_add"),
        ]

    def action_checkbox(self, obj):
        """Selected by key: Django's checkbox carries the digest and labels itself with it."""
        attrs = {"class": "action-select", "aria-label": f"Select token {obj.token_key}"}
        return CheckboxInput(attrs, lambda value: False).render(
            helpers.ACTION_CHECKBOX_NAME, obj.token_key
        )

    def response_action(self, request, queryset):
        # Django selects by primary key: turn the posted keys into the rows they name.
        keys = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        digests = [
            str(pk) for pk in queryset.filter(token_key__in=keys).values_list("pk", flat=True)
        ]
        if not digests:
            self.message_user(
                request, "No such API token (already revoked?): nothing was done.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, digests)
        request.POST = post
        return super().response_action(request, queryset)

    @admin.action(description="Revoke selected API tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        actor, revoked = admin_actor(request), 0
        for token in queryset:
            try:
                api_token_revoke(token=token, actor=actor)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} API token(s).", messages.SUCCESS)


TEAM_BOOKKEEPING = (
    "is_active",
    "current_engineer",
    "current_rotation_index",
    "next_handoff_at",
    "last_handoff_date",
    "legacy_id",
    "created_at",
    "updated_at",
)


@admin.register(Team)
class TeamAdmin(PersonPickerAdmin, SoftDeleteAdmin):
    person_fields = ("oncall_engineer",)
    people_fields = ("rotation_order",)
    list_display = (
        "name",
        "oncall_engineer",
        "timezone",
        "rotation",
        "overrides_require_approval",
        "is_active",
    )
    list_filter = ("is_active", "rotation_type", "rotation_enabled", "overrides_require_approval")
    search_fields = ("name", "slug", "slack_group_id", "slack_channel_id", "oncall_engineer")
    prepopulated_fields = {"slug": ("name",)}
    inlines = (MembershipInline,)
    actions = [*SoftDeleteAdmin.actions, "sync_from_slack"]
    fieldsets = (
        (None, {"fields": ("name", "slug", "description", "is_active")}),
        (
            "Slack",
            {
                "fields": (
                    "slack_group_id",
                    "slack_channel_id",
                    "oncall_engineer",
                    "oncall_usergroup_id",
                )
            },
        ),
        ("On-call", {"fields": ("timezone", "overrides_require_approval")}),
        (
            "Rotation",
            {
                "description": "A change here regenerates the future automatic schedules; manual "
                "schedules and overrides stay as they are.",
                "fields": (
                    "rotation_enabled",
                    "rotation_type",
                    "rotation_order",
                    "rotation_interval",
                    "rotation_start_date",
                    "handoff_day",
                    "handoff_time",
                    "lookahead_periods",
                    "current_engineer",
                    "current_rotation_index",
                    "next_handoff_at",
                    "last_handoff_date",
                ),
            },
        ),
        ("Record", {"classes": ("collapse",), "fields": ("legacy_id", "created_at", "updated_at")}),
    )

    readonly_fields = TEAM_BOOKKEEPING
    formfield_overrides = {models.JSONField: {"form_class": JSONField}}

    @admin.display(description="Rotation", ordering="rotation_type")
    def rotation(self, obj: Team) -> str:
        if not obj.rotation_enabled:
            return "off"
        day = f" on {WEEKDAYS[obj.handoff_day]}s" if obj.handoff_day is not None else ""
        return f"{obj.get_rotation_type_display()}, {obj.rotation_interval}{day}"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "handoff_day":
            return forms.TypedChoiceField(
                label="Handoff day",
                choices=[("", "Any day"), *enumerate(WEEKDAYS)],
                coerce=int,
                empty_value=None,
                required=False,
            )
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def create(self, *, actor, fields):
        own, rotation = actions.team_fields(fields)
        return team_create_with_rotation(actor=actor, fields=own, rotation=rotation)

    def update(self, *, obj, actor, changes):
        """The team's own fields and its rotation settings have one action each; both run in
        the form's savepoint, so a refusal of either leaves the team as it was."""
        own, rotation = actions.team_fields(changes)
        if own.given():
            actions.team_update(team=obj, actor=actor, changes=own)
        if rotation.given():
            rotation_config_update(team=obj, actor=actor, settings=rotation)
        return Team.objects.get(pk=obj.pk)

    def delete(self, *, obj, actor):
        actions.team_soft_delete(team=obj, actor=actor)

    def restore(self, *, obj, actor):
        actions.team_restore(team=obj, actor=actor)

    @admin.action(description="Sync members from Slack", permissions=["change"])
    def sync_from_slack(self, request, queryset):
        """One message per team: what changed, or why Slack or the action refused."""
        actor = admin_actor(request)
        for team in queryset:
            try:
                outcome = sync_team_from_slack(team=team, actor=actor)
            except DomainError as exc:
                self.message_user(request, f"{team}: {exc.message}", messages.ERROR)
            else:
                summary = ", ".join(f"{len(ids)} {what}" for what, ids in outcome.items())
                self.message_user(request, f"{team}: synced from Slack ({summary}).")

    def response_action(self, request, queryset):
        """The Slack sync waits for Slack between its writes: run it outside ActionAdmin's
        all-or-nothing transaction, so no team row stays locked during those calls (each
        write is its own action's transaction)."""
        if _chosen_action(request) == "sync_from_slack":
            return super(ActionAdmin, self).response_action(request, queryset)
        return super().response_action(request, queryset)


def _chosen_action(request) -> str:
    """The action whose button was pushed (the changelist may show two action forms)."""
    chosen = request.POST.getlist("action")
    try:  # read as Django's response_action reads it (int() refuses 4,300 digits and more)
        index = int(request.POST.get("index", 0))
    except ValueError:
        index = 0
    return chosen[index] if 0 <= index < len(chosen) else ""

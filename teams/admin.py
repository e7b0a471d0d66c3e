from django import forms
from django.contrib import admin, messages
from django.db import models

from oncall_project.base.admin_actions import (
    ActionAdmin,
    ActionInline,
    SoftDeleteAdmin,
    admin_actor,
)
from oncall_project.base.errors import DomainError
from oncall_project.base.json_input import JSONField
from schedules.actions import rotation_config_update
from teams import actions
from teams.models import Person, Team, TeamMembership, Unavailability
from teams.person_actions import person_link, person_unlink
from teams.slack_sync import sync_team_from_slack

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


class MembershipInlineForm(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            # A membership is keyed by its person: remove the row and add another to change it.
            self.fields["slack_user_id"].disabled = True


class MembershipInline(ActionInline):
    model = TeamMembership
    form = MembershipInlineForm
    extra = 0
    fields = (
        "slack_user_id",
        "display_name",
        "team_role",
        "is_eligible_for_oncall",
        "weight",
        "joined_at",
        "in_slack_group",
    )
    readonly_fields = ("in_slack_group",)

    def create_row(self, *, parent, actor, fields):
        return actions.membership_upsert(team=parent, actor=actor, **fields)

    def update_row(self, *, obj, actor, changes):
        return actions.membership_upsert(
            team=obj.team, slack_user_id=obj.slack_user_id, actor=actor, **changes
        )

    def delete_row(self, *, obj, actor):
        actions.membership_remove(team=obj.team, slack_user_id=obj.slack_user_id, actor=actor)


@admin.register(Team)
class TeamAdmin(SoftDeleteAdmin):
    list_display = (
        "name",
        "slug",
        "oncall_engineer",
        "slack_group_id",
        "timezone",
        "rotation_enabled",
        "rotation_type",
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

    def create(self, *, actor, fields):
        return actions.team_create(actor=actor, **fields)

    def update(self, *, obj, actor, changes):
        """The team's own fields and its rotation settings have one action each; both run in
        the form's savepoint, so a refusal of either leaves the team as it was."""
        rotation = {k: v for k, v in changes.items() if k in actions.ROTATION_FIELDS}
        own = {k: v for k, v in changes.items() if k not in rotation}
        if own:
            actions.team_update(team=obj, actor=actor, **own)
        if rotation:
            rotation_config_update(team=obj, actor=actor, **rotation)
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
    index = request.POST.get("index", "0")
    return chosen[int(index)] if index.isdigit() and int(index) < len(chosen) else ""


@admin.register(TeamMembership)
class TeamMembershipAdmin(ActionAdmin):
    list_display = (
        "slack_user_id",
        "display_name",
        "team",
        "team_role",
        "is_eligible_for_oncall",
        "weight",
        "in_slack_group",
        "joined_at",
    )
    list_filter = ("team_role", "is_eligible_for_oncall", "in_slack_group", "team")
    search_fields = ("slack_user_id", "display_name", "team__name", "team__slug")
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    fields = (
        "team",
        "slack_user_id",
        "display_name",
        "team_role",
        "is_eligible_for_oncall",
        "weight",
        "joined_at",
        "in_slack_group",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        always = ("in_slack_group", "created_at", "updated_at")
        return always if obj is None else ("team", "slack_user_id", *always)

    def create(self, *, actor, fields):
        return actions.membership_upsert(actor=actor, **fields)

    def update(self, *, obj, actor, changes):
        return actions.membership_upsert(
            team=obj.team, slack_user_id=obj.slack_user_id, actor=actor, **changes
        )

    def delete(self, *, obj, actor):
        actions.membership_remove(team=obj.team, slack_user_id=obj.slack_user_id, actor=actor)


@admin.register(Unavailability)
class UnavailabilityAdmin(ActionAdmin):
    list_display = ("slack_user_id", "team", "start_date", "end_date", "reason")
    list_filter = ("team",)
    search_fields = ("slack_user_id", "reason", "team__name")
    list_select_related = ("team",)
    autocomplete_fields = ("team",)
    date_hierarchy = "start_date"
    fields = ("slack_user_id", "team", "start_date", "end_date", "reason")

    def has_change_permission(self, request, obj=None):
        return False  # no action changes an unavailability: delete it and add another

    def create(self, *, actor, fields):
        return actions.unavailability_create(actor=actor, **fields)

    def delete(self, *, obj, actor):
        actions.unavailability_delete(unavailability=obj, actor=actor)


@admin.register(Person)
class PersonAdmin(ActionAdmin):
    list_display = ("user", "slack_user_id", "updated_at")
    search_fields = (
        "user__username",
        "user__email",
        "user__first_name",
        "user__last_name",
        "slack_user_id",
    )
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    fields = ("user", "slack_user_id", "created_at", "updated_at")

    def get_readonly_fields(self, request, obj=None):
        always = ("created_at", "updated_at")
        return always if obj is None else ("user", *always)

    def create(self, *, actor, fields):
        return person_link(actor=actor, **fields)

    def update(self, *, obj, actor, changes):
        return person_link(user=obj.user, actor=actor, **changes)

    def delete(self, *, obj, actor):
        person_unlink(person=obj, actor=actor)

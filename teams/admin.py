"""Memberships, time away and people in the admin. The team's own page saves its rotation
settings too (a schedules action), so it lives above both apps: oncall_project/admin.py."""

from django import forms
from django.contrib import admin

from oncall_project.base.admin_actions import ActionAdmin, ActionInline
from teams import actions
from teams.actions import person_link, person_unlink
from teams.models import Person, TeamMembership, Unavailability


def _upsert(team, actor, fields: dict):
    """A member row from an admin form: its Slack id, and the metadata the form holds."""
    slack_user_id = fields.pop("slack_user_id")
    membership, _ = actions.membership_upsert(
        team=team,
        slack_user_id=slack_user_id,
        actor=actor,
        fields=actions.MembershipFields.parse(fields),
    )
    return membership


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
        "is_eligible_for_backup",
        "weight",
        "joined_at",
        "in_slack_group",
    )
    readonly_fields = ("in_slack_group",)

    def create_row(self, *, parent, actor, fields):
        return _upsert(parent, actor, fields)

    def update_row(self, *, obj, actor, changes):
        return _upsert(obj.team, actor, {"slack_user_id": obj.slack_user_id, **changes})

    def delete_row(self, *, obj, actor):
        actions.membership_remove(team=obj.team, slack_user_id=obj.slack_user_id, actor=actor)


@admin.register(TeamMembership)
class TeamMembershipAdmin(ActionAdmin):
    list_display = (
        "slack_user_id",
        "display_name",
        "team",
        "team_role",
        "is_eligible_for_oncall",
        "is_eligible_for_backup",
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
        "is_eligible_for_backup",
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
        return _upsert(fields.pop("team"), actor, fields)

    def update(self, *, obj, actor, changes):
        return _upsert(obj.team, actor, {"slack_user_id": obj.slack_user_id, **changes})

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

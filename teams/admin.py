"""Memberships, time away and people in the admin. The team's own page saves its rotation
settings too (a schedules action), so it lives above both apps: oncall_project/admin.py."""

from django import forms
from django.contrib import admin, messages

from oncall_project.base.admin_actions import ActionAdmin, ActionInline, admin_actor
from oncall_project.base.errors import DomainError
from teams import actions
from teams.actions import PersonFields, person_link, person_unlink
from teams.models import Person, TeamMembership, Unavailability
from teams.pickers import PersonPickerAdmin

DIRECTORY_DETAILS = ("display_name", "real_name", "timezone", "email", "is_active")


def _add(team, actor, fields: dict):
    """A new member row from an admin form: its Slack id, and the metadata the form holds."""
    slack_user_id = fields.pop("slack_user_id")
    membership, _ = actions.membership_upsert(
        team=team,
        slack_user_id=slack_user_id,
        actor=actor,
        fields=actions.MembershipFields.parse(fields),
    )
    return membership


def _change(membership, actor, changes: dict):
    """An existing member row's changes: refused if the member was removed meanwhile."""
    return actions.membership_update(
        team=membership.team,
        slack_user_id=membership.slack_user_id,
        actor=actor,
        fields=actions.MembershipFields.parse(changes),
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
        "is_eligible_for_backup",
        "weight",
        "joined_at",
        "in_slack_group",
    )
    readonly_fields = ("in_slack_group",)

    def create_row(self, *, parent, actor, fields):
        return _add(parent, actor, fields)

    def update_row(self, *, obj, actor, changes):
        return _change(obj, actor, changes)

    def delete_row(self, *, obj, actor):
        actions.membership_remove(team=obj.team, slack_user_id=obj.slack_user_id, actor=actor)


@admin.register(TeamMembership)
class TeamMembershipAdmin(PersonPickerAdmin, ActionAdmin):
    person_fields = ("slack_user_id",)
    list_display = (
        "slack_user_id",
        "display_name",
        "team",
        "team_role",
        "is_eligible_for_oncall",
        "is_eligible_for_backup",
        "weight",
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
        return _add(fields.pop("team"), actor, fields)

    def update(self, *, obj, actor, changes):
        return _change(obj, actor, changes)

    def delete(self, *, obj, actor):
        actions.membership_remove(team=obj.team, slack_user_id=obj.slack_user_id, actor=actor)


@admin.register(Unavailability)
class UnavailabilityAdmin(PersonPickerAdmin, ActionAdmin):
    person_fields = ("slack_user_id",)
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
    """The people directory; linking a Django user to an entry lets them sign in as that person."""

    list_display = ("__str__", "slack_user_id", "timezone", "status", "is_active", "user")
    list_filter = ("status", "is_active")
    search_fields = (
        "display_name",
        "real_name",
        "slack_user_id",
        "email",
        "user__username",
        "user__email",
    )
    list_select_related = ("user",)
    autocomplete_fields = ("user",)
    fields = (
        "slack_user_id",
        *DIRECTORY_DETAILS,
        "user",
        "status",
        "created_at",
        "updated_at",
    )

    def get_readonly_fields(self, request, obj=None):
        always = ("status", "created_at", "updated_at")
        if obj is None:
            return always
        # An entry's id is who they are; only a user's link moves from one id to another.
        return ("user", *always) if obj.user_id else ("slack_user_id", *always)

    def create(self, *, actor, fields):
        details = PersonFields(**{k: v for k, v in fields.items() if k in DIRECTORY_DETAILS})
        if fields.get("user") is None:
            return actions.person_create(
                slack_user_id=fields["slack_user_id"], actor=actor, fields=details
            )
        person = person_link(
            user=fields["user"], slack_user_id=fields["slack_user_id"], actor=actor
        )
        given = {k: v for k, v in details.given().items() if v not in ("", None)}
        return actions.person_update(person=person, actor=actor, fields=PersonFields(**given))

    def update(self, *, obj, actor, changes):
        if "user" in changes or "slack_user_id" in changes:
            user = changes.get("user", obj.user)
            slack_user_id = changes.get("slack_user_id", obj.slack_user_id)
            obj = person_link(user=user, slack_user_id=slack_user_id, actor=actor)
        details = {k: v for k, v in changes.items() if k in DIRECTORY_DETAILS}
        return actions.person_update(person=obj, actor=actor, fields=PersonFields(**details))

    actions = ("deactivate",)

    def has_delete_permission(self, request, obj=None):
        """A directory entry is deactivated, never deleted: the schedules and history naming
        them keep their name. Only a bare sign-in link (no Slack id) is deleted."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and obj is not None and not obj.slack_user_id

    def get_actions(self, request):
        found = super().get_actions(request)
        found.pop("delete_selected", None)
        return found

    @admin.action(description="Deactivate the selected people", permissions=["change"])
    def deactivate(self, request, queryset):
        actor = admin_actor(request)
        done = 0
        for person in queryset.filter(is_active=True).exclude(slack_user_id=None):
            try:
                actions.person_update(
                    person=person, actor=actor, fields=PersonFields(is_active=False)
                )
            except DomainError as exc:
                self.message_user(request, f"{person}: {exc.message}", messages.ERROR)
            else:
                done += 1
        self.message_user(request, f"{done} deactivated; they can be named again once active.")

    def delete(self, *, obj, actor):
        person_unlink(person=obj, actor=actor)

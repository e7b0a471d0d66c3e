"""Page forms for teams, members, time away and a person's Slack identity. They parse input;
the actions validate it and say no (their messages land next to the fields)."""

from django import forms

from oncall_project.base.bounds import (
    DESCRIPTION_MAX_LENGTH,
    PERSON_NAME_MAX_LENGTH,
    TIME_ZONE_MAX_LENGTH,
)
from teams.models import TeamRole, time_zone_names
from teams.pickers import PersonField, scope_pickers

DATE = forms.DateInput(attrs={"type": "date"})
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
TIMEZONES = time_zone_names()


class PageForm(forms.Form):
    """Labels without a trailing colon: they read better to a screen reader. A form that shares
    a page with another names its ids apart (`auto_id`), so each label finds its own input."""

    auto_id = "id_%s"

    def __init__(self, *args, team=None, **kwargs):
        kwargs.setdefault("label_suffix", "")
        kwargs.setdefault("auto_id", self.auto_id)
        super().__init__(*args, **kwargs)
        if team is not None:
            scope_pickers(self, team)


# Soft-deleted teams and services are "archived" on the pages: out of lists by default.
ACTIVE_CHOICES = [("active", "Active"), ("inactive", "Archived"), ("all", "All")]


def active_field() -> forms.ChoiceField:
    return forms.ChoiceField(label="Status", choices=ACTIVE_CHOICES, required=False)


class TeamFilterForm(PageForm):
    active = active_field()

    def wanted(self) -> str:
        """active, inactive or all; a value it does not know reads as the default."""
        return (self.cleaned_data.get("active") if self.is_valid() else "") or "active"


def person_field(label: str, required: bool = True, help_text: str = "") -> PersonField:
    """A field naming one person: a picker over the directory (teams.pickers)."""
    return PersonField(label=label, required=required, help_text=help_text)


class TeamForm(PageForm):
    name = forms.CharField(max_length=120)
    slug = forms.SlugField(
        max_length=140, required=False, help_text="The team's address; empty = from the name."
    )
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=DESCRIPTION_MAX_LENGTH
    )
    timezone = forms.CharField(
        label="Time zone",
        max_length=TIME_ZONE_MAX_LENGTH,
        initial="UTC",
        help_text="IANA time zone of the handoffs, e.g. Europe/Berlin.",
        widget=forms.TextInput(attrs={"list": "timezones"}),
    )
    slack_group_id = forms.CharField(label="Slack user group", max_length=32, required=False)
    slack_channel_id = forms.CharField(label="Slack channel", max_length=32, required=False)
    oncall_engineer = person_field(
        "Default on-call", required=False, help_text="On call when nothing else is."
    )
    oncall_usergroup_id = forms.CharField(
        label="On-call Slack user group", max_length=32, required=False
    )
    overrides_require_approval = forms.BooleanField(
        required=False, help_text="A lead must approve override requests."
    )

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        if not data.get("slug"):
            data.pop("slug", None)
        return data


class MemberForm(PageForm):
    """Add a member from the directory; the Slack sync adds the rest."""

    auto_id = "add_%s"

    slack_user_id = person_field("Person")
    display_name = forms.CharField(max_length=PERSON_NAME_MAX_LENGTH, required=False)
    team_role = forms.ChoiceField(label="Role", choices=TeamRole.choices, initial=TeamRole.MEMBER)
    is_eligible_for_oncall = forms.BooleanField(
        label="Eligible for on-call", required=False, initial=True
    )
    weight = forms.FloatField(initial=1.0, help_text="Share of shifts in a weighted rotation.")


class MemberEditForm(PageForm):
    """The inline edit of one member's on-call metadata; its ids carry the member's Slack id,
    since it opens on the members page beside the add form."""

    display_name = forms.CharField(max_length=PERSON_NAME_MAX_LENGTH, required=False)
    team_role = forms.ChoiceField(label="Role", choices=TeamRole.choices)
    is_eligible_for_oncall = forms.BooleanField(label="Eligible for on-call", required=False)
    weight = forms.FloatField()

    def __init__(self, *args, slack_user_id: str, **kwargs):
        kwargs.setdefault("auto_id", f"edit-{slack_user_id}-%s")
        super().__init__(*args, **kwargs)


class UnavailabilityForm(PageForm):
    auto_id = "away_%s"

    slack_user_id = person_field("Who is away")
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE)
    reason = forms.CharField(max_length=200, required=False)

    def __init__(self, *args, only: str = "", **kwargs):
        """`only`: the one person this viewer may record time away for (themselves)."""
        super().__init__(*args, **kwargs)
        if only:
            who = self.fields["slack_user_id"]
            who.widget = forms.HiddenInput()
            who.initial = only


class PersonDetailsForm(PageForm):
    """What a person says about themselves in the directory: the name pages show and the time
    zone they read times in (Slack's, until they change it)."""

    auto_id = "me_%s"

    display_name = forms.CharField(
        label="Your name", max_length=PERSON_NAME_MAX_LENGTH, required=False
    )
    timezone = forms.CharField(
        label="Your time zone",
        max_length=TIME_ZONE_MAX_LENGTH,
        required=False,
        help_text="IANA time zone, e.g. Europe/Berlin: pages show times on your clock too.",
        widget=forms.TextInput(attrs={"list": "timezones"}),
    )


class ProfileForm(PageForm):
    slack_user_id = forms.CharField(
        label="Your Slack user id",
        max_length=32,
        required=False,
        help_text="In Slack: your profile → ⋮ → Copy member ID. Empty unlinks it.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

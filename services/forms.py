"""Page forms for the services directory. They parse input; the actions validate it."""

from django import forms

from oncall_project.base.json_input import JSONField
from services.models import Tier
from teams.forms import PageForm, active_field, person_field
from teams.models import Team


def team_choice(required: bool = False, empty_label: str = "No team") -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True).order_by("name"),
        to_field_name="slug",
        required=required,
        empty_label=empty_label,
    )


class ServiceForm(PageForm):
    name = forms.CharField(max_length=120)
    team = team_choice()
    tier = forms.ChoiceField(choices=Tier.choices, initial=Tier.STANDARD)
    environment = forms.CharField(max_length=40, required=False, initial="production")
    service_owner = person_field(
        "Service owner", required=False, help_text="The permanent tech owner."
    )
    primary_oncall = person_field(
        "Primary on-call", required=False, help_text="Tagged when the team has nobody on call."
    )
    team_slack_group = forms.CharField(
        label="Slack group", max_length=32, required=False, help_text="S… user group id."
    )
    repository_url = forms.URLField(
        label="Repository", max_length=300, required=False, assume_scheme="https"
    )
    tech_stack = forms.CharField(max_length=200, required=False)
    metadata = JSONField(
        required=False,
        initial=dict,
        help_text='JSON, e.g. {"runbook": "https://…"}.',
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def changes(self) -> dict:
        data = dict(self.cleaned_data)
        data["metadata"] = data.get("metadata") or {}
        return data


class ServiceFilterForm(PageForm):
    search = forms.CharField(label="Search", required=False, max_length=120)
    team = team_choice(empty_label="Any team")
    tier = forms.ChoiceField(choices=[("", "Any tier"), *Tier.choices], required=False)
    environment = forms.ChoiceField(label="Environment", required=False)
    active = active_field()

    def __init__(self, data, *, environments: list[str]):
        super().__init__(data)
        self.fields["environment"].choices = [("", "Any environment")] + [
            (e, e) for e in environments
        ]

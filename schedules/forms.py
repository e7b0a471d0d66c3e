"""Page forms for schedules, overrides, the rotation, lookups and reports. They parse input;
the actions validate it and say no."""

import datetime

from django import forms
from django.http import QueryDict
from django.utils import timezone

from oncall_project.base.bounds import REASON_MAX_LENGTH
from schedules.actions.rotation import MAX_PERIODS
from schedules.api.queries import REACH_YEARS
from schedules.models import OverrideStatus, ScheduleType
from teams.forms import DATE, TIME, PageForm, person_field
from teams.models import RotationInterval, RotationType, Team
from teams.pickers import PeopleField
from teams.rotation_fields import RotationFields

WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MAX_REPORT_DAYS = 366
# As in the API: further out, the engine's date arithmetic runs off the calendar.
REACH = datetime.timedelta(days=366 * REACH_YEARS)
TOO_FAR = f"At most {REACH_YEARS} years from today."


class ScheduleForm(PageForm):
    engineer_slack_id = person_field("Engineer")
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, help_text="Inclusive.")
    schedule_type = forms.ChoiceField(
        label="Type",
        choices=ScheduleType.choices,
        initial=ScheduleType.WEEKLY,
        help_text="Weekly covers every day; daily only the days ticked below.",
    )
    days_of_week = forms.TypedMultipleChoiceField(
        label="Days (daily only)",
        choices=list(enumerate(WEEKDAYS)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class OverrideForm(PageForm):
    engineer_slack_id = person_field("Who covers")
    replaces_slack_id = person_field(
        "Instead of", required=False, help_text="Who is being covered (optional)."
    )
    start_date = forms.DateField(widget=DATE)
    end_date = forms.DateField(widget=DATE, help_text="Inclusive.")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=REASON_MAX_LENGTH
    )


class DecisionForm(PageForm):
    status = forms.ChoiceField(
        choices=[
            (s, s)
            for s in (OverrideStatus.APPROVED, OverrideStatus.REJECTED, OverrideStatus.CANCELLED)
        ]
    )
    reason = forms.CharField(max_length=REASON_MAX_LENGTH, required=False)


class RotationForm(PageForm):
    rotation_enabled = forms.BooleanField(label="Rotation on", required=False)
    rotation_type = forms.ChoiceField(label="Type", choices=RotationType.choices)
    rotation_interval = forms.ChoiceField(label="Period", choices=RotationInterval.choices)
    rotation_start_date = forms.DateField(label="Starts", widget=DATE, required=False)
    handoff_day = forms.TypedChoiceField(
        choices=[("", "Any day"), *enumerate(WEEKDAYS)],
        coerce=int,
        empty_value=None,
        required=False,
    )
    handoff_time = forms.TimeField(widget=TIME, help_text="In the team's time zone.")
    rotation_order = PeopleField(
        label="Custom order",
        help_text="People in turn, separated by commas (custom order only): type a name, pick.",
    )
    lookahead_periods = forms.IntegerField(label="Periods planned ahead", min_value=1, max_value=52)

    @classmethod
    def initial_for(cls, line: RotationFields) -> dict:
        """The form filled from a line's settings (the team's, or its backup line's)."""
        initial = {name: getattr(line, name) for name in cls.base_fields}
        initial["rotation_order"] = ", ".join(line.rotation_order or [])
        return initial


class GenerateForm(PageForm):
    periods = forms.IntegerField(
        label="Periods to generate", min_value=1, max_value=MAX_PERIODS, initial=4
    )


class LookupForm(PageForm):
    q = forms.CharField(
        label="Service or team",
        max_length=120,
        widget=forms.TextInput(attrs={"list": "lookup-names", "autocomplete": "off"}),
    )
    at = forms.DateTimeField(
        label="At (the team's local time)",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text="Empty = now.",
    )

    def clean_at(self) -> datetime.datetime | None:
        at = self.cleaned_data["at"]
        if at is not None and abs(at - timezone.now()) > REACH:
            raise forms.ValidationError(TOO_FAR)
        return at


class RangeForm(PageForm):
    """A date range, at most a year long."""

    start = forms.DateField(label="From", widget=DATE, required=False)
    end = forms.DateField(label="To", widget=DATE, required=False)

    def __init__(self, data, *, default_days: int, back: bool, today: datetime.date, **kwargs):
        span = datetime.timedelta(days=default_days)
        self.today = today
        self.default = (today - span, today) if back else (today, today + span)
        # The inputs show the range the page uses, the default one included.
        data = QueryDict(mutable=True) if data is None else data.copy()
        for name, day in zip(("start", "end"), self.default, strict=True):
            if not data.get(name):
                data[name] = day.isoformat()
        super().__init__(data, **kwargs)

    def clean(self):
        data = super().clean()
        if self.has_error("start") or self.has_error("end"):
            return data  # no range to check: "before the start" of a start that is no date
        start = data.get("start") or self.default[0]
        end = data.get("end") or self.default[1]
        far = [
            name for name, day in (("start", start), ("end", end)) if abs(day - self.today) > REACH
        ]
        if far:
            for name in far:
                self.add_error(name, TOO_FAR)
        elif end < start:
            self.add_error("end", "The end is before the start.")
        elif (end - start).days > MAX_REPORT_DAYS:
            self.add_error("end", f"At most {MAX_REPORT_DAYS} days at a time.")
        data["start"], data["end"] = start, end
        return data


class FairnessForm(RangeForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="All teams",
    )

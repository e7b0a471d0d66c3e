import datetime
import functools
import re
import secrets
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, NullIf
from simple_history.models import HistoricalRecords

from oncall_project.base import slack_ids
from oncall_project.base.bounds import (
    DESCRIPTION_MAX_LENGTH,
    PERSON_NAME_MAX_LENGTH,
    TIME_ZONE_MAX_LENGTH,
    bounded_text,
    validate_date_in_window,
    validate_metadata_size,
)
from oncall_project.base.models import (
    BaseModel,
    NamedQuerySet,
    UniquelyNamed,
    unique_name_constraint,
)
from oncall_project.base.text import shown
from teams.rotation_fields import CHECKPOINT_FIELDS, RotationFields, rotation_constraints
from teams.rotation_fields import RotationInterval as RotationInterval
from teams.rotation_fields import RotationType as RotationType
from teams.rotation_fields import default_handoff_time as default_handoff_time


class TeamRole(models.TextChoices):
    LEAD = "lead"
    MEMBER = "member"


# In the time zone database but no place: the host's own zone, a template file, a placeholder.
NOT_PLACES = frozenset({"localtime", "posixrules", "Factory"})
# Fixed offsets named the POSIX way, the sign inverted ("Etc/GMT+5" is five hours behind UTC),
# without daylight saving: a team choosing one is ten hours off, or an hour off half the year.
_POSIX_OFFSET = re.compile(r"^Etc/GMT([+-])(\d{1,2})$")


def _posix_offset_hours(name: str) -> int:
    """Hours east of UTC of an Etc/GMT±N zone (0 for any other)."""
    offset = _POSIX_OFFSET.match(name)
    return (-1 if offset[1] == "+" else 1) * int(offset[2]) if offset else 0


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The zones a team may keep, sorted: the IANA database's (`available_timezones()`, links
    such as US/Eastern included), less what names no place and the POSIX offsets."""
    names = zoneinfo.available_timezones() - NOT_PLACES
    return tuple(sorted(name for name in names if not _posix_offset_hours(name)))


def validate_timezone(value: str) -> None:
    hours = _posix_offset_hours(value)
    if hours:
        raise ValidationError(
            f"'{value}' is UTC{hours:+03d}:00 (POSIX inverts the sign) without daylight "
            "saving: choose the place whose clock the team keeps, e.g. Europe/Berlin."
        )
    if value not in time_zone_names():
        raise ValidationError(f"'{shown(value)}' is not an IANA time zone.")


def new_ical_token() -> str:
    return secrets.token_urlsafe(24)


class Team(UniquelyNamed, RotationFields, BaseModel):
    """A team (the original plan's "service group") and its rotation configuration. Its name
    is unique whatever the case, so a lookup by name finds one team or none."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = bounded_text(DESCRIPTION_MAX_LENGTH, blank=True)
    slack_group_id = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_group_id]
    )
    slack_channel_id = models.CharField(
        max_length=32, blank=True, validators=[slack_ids.validate_channel_id]
    )
    oncall_engineer = models.CharField(
        max_length=32,
        blank=True,
        validators=[slack_ids.validate_user_id],
        help_text="Fallback on-call when no override, schedule or rotation applies.",
    )
    oncall_usergroup_id = models.CharField(
        max_length=32,
        blank=True,
        validators=[slack_ids.validate_group_id],
        help_text="Optional Slack user group set to the current on-call at each handoff.",
    )
    timezone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH, default="UTC", validators=[validate_timezone]
    )
    current_rotation_index = models.PositiveIntegerField(default=0, editable=False)
    overrides_require_approval = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    next_handoff_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_handoff_date = models.DateField(null=True, blank=True, editable=False)
    current_engineer = models.CharField(max_length=32, blank=True, editable=False)
    # Set to next_oncall_version() in the transaction of every write that can change who is on
    # call (lock_team, the handoffs, a new name, the legacy import), so a state cached under an
    # older one is never used again.
    oncall_version = models.PositiveBigIntegerField(default=0, editable=False)
    legacy_id = models.CharField(max_length=64, null=True, blank=True, unique=True)
    ical_token = models.CharField(
        max_length=64,
        unique=True,
        default=new_ical_token,
        editable=False,
        help_text="Secret part of the team's iCal feed URL.",
    )
    metadata = models.JSONField(default=dict, blank=True, validators=[validate_metadata_size])

    history = HistoricalRecords(excluded_fields=CHECKPOINT_FIELDS)

    objects = NamedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            unique_name_constraint("team"),
            *rotation_constraints("team"),
        ]
        indexes = [models.Index(fields=["is_active", "next_handoff_at"])]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        self.clean_rotation()


def next_oncall_version() -> models.Expression:
    """What every write that can change who is on call sets `oncall_version` to, in its own
    transaction: the one rule that makes each answer or state kept under the old one stale."""
    return F("oncall_version") + 1


class BackupLine(RotationFields, BaseModel):
    """A team's backup (secondary) on-call line: a rotation of its own, beside the primary's
    (whose settings are the team's). The team has a backup line while `rotation_enabled`; the
    backup is never the primary of the same on-call date. Time zone and members are the team's;
    `TeamMembership.is_eligible_for_backup` says who takes backup turns."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="backup_line")
    next_handoff_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_handoff_date = models.DateField(null=True, blank=True, editable=False)
    current_engineer = models.CharField(max_length=32, blank=True, editable=False)

    history = HistoricalRecords(excluded_fields=CHECKPOINT_FIELDS)

    class Meta:
        constraints = rotation_constraints("backupline")
        indexes = [models.Index(fields=["rotation_enabled", "next_handoff_at"])]

    def __str__(self) -> str:
        return f"Backup line of {self.team_id}"

    def clean(self) -> None:
        self.clean_rotation()


# A share of the rotation, relative to the others': past this, sums of weights lose precision.
MAX_WEIGHT = 1000


class TeamMembership(BaseModel):
    """On-call metadata of one person in a team. Slack's user group says who is in the team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    slack_user_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    display_name = models.CharField(max_length=PERSON_NAME_MAX_LENGTH, blank=True)
    team_role = models.CharField(max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    is_eligible_for_oncall = models.BooleanField(default=True)
    is_eligible_for_backup = models.BooleanField(
        default=True, help_text="Takes turns on the team's backup line, when it has one."
    )
    weight = models.FloatField(
        default=1.0, validators=[MinValueValidator(0.01), MaxValueValidator(MAX_WEIGHT)]
    )
    in_slack_group = models.BooleanField(null=True, blank=True)
    joined_at = models.DateField(default=datetime.date.today, validators=[validate_date_in_window])

    history = HistoricalRecords()

    class Meta:
        ordering = ["team", "joined_at", "slack_user_id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "slack_user_id"], name="membership_unique"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="membership_weight_positive"),
            models.CheckConstraint(
                condition=Q(weight__lte=MAX_WEIGHT), name="membership_weight_at_most_max"
            ),
            models.CheckConstraint(
                condition=Q(team_role__in=TeamRole.values), name="membership_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.shown_name} in {self.team_id}"

    @property
    def known_name(self) -> str:
        """The team's display name for the member, else the people directory's (where a
        selector read it with the row as `directory_name`); "" when neither is known."""
        return self.display_name or getattr(self, "directory_name", None) or ""

    @property
    def shown_name(self) -> str:
        """What the team's pages call the member: `known_name`, else their Slack id."""
        return self.known_name or self.slack_user_id


class Unavailability(BaseModel):
    """A person away for some dates; the rotation skips them without losing their turn."""

    slack_user_id = models.CharField(max_length=32, validators=[slack_ids.validate_user_id])
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="unavailabilities"
    )
    start_date = models.DateField(validators=[validate_date_in_window])
    end_date = models.DateField(validators=[validate_date_in_window])
    reason = models.CharField(max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["start_date"]
        verbose_name_plural = "unavailabilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="unavailability_dates"
            ),
        ]

    def clean(self) -> None:
        dates = (self.start_date, self.end_date)
        if all(isinstance(d, datetime.date) for d in dates) and self.end_date < self.start_date:
            raise ValidationError({"end_date": "The end date is before the start date."})

    def __str__(self) -> str:
        return f"{self.slack_user_id} away {self.start_date}–{self.end_date}"


class PersonStatus(models.TextChoices):
    # Slack, the admin or the API vouched for the person.
    CONFIRMED = "confirmed"
    # Seen only in data written before the directory existed: kept so those rows stay valid,
    # flagged on pages, and confirmed by the next write that names them and Slack knows.
    UNCONFIRMED = "unconfirmed"


class PersonQuerySet(models.QuerySet):
    def in_directory(self) -> "PersonQuerySet":
        """Entries of the directory: people with a Slack id (a user alone holds no one)."""
        return self.filter(slack_user_id__isnull=False)


def keep_directory_entry(collector, field, sub_objs, using) -> None:
    """A deleted user's directory entry stays (the data may name them), unlinked; an entry that
    was only their link (no Slack id) goes with them: it would name nobody."""
    bare = [person for person in sub_objs if person.slack_user_id is None]
    if bare:
        models.CASCADE(collector, field, bare, using)
    kept = [person for person in sub_objs if person.slack_user_id is not None]
    if kept:
        collector.add_field_update(field, None, kept)


class Person(BaseModel):
    """The people directory: someone who can be named on call, by their Slack user id, with
    the name and time zone pages show; optionally the Django user who signs in as them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=keep_directory_entry
    )
    slack_user_id = models.CharField(
        max_length=32, unique=True, null=True, blank=True, validators=[slack_ids.validate_user_id]
    )
    display_name = models.CharField(max_length=PERSON_NAME_MAX_LENGTH, blank=True)
    real_name = models.CharField(max_length=PERSON_NAME_MAX_LENGTH, blank=True)
    timezone = models.CharField(
        max_length=TIME_ZONE_MAX_LENGTH,
        blank=True,
        validators=[validate_timezone],
        help_text="IANA time zone; empty = not known.",
    )
    email = models.EmailField(blank=True)
    is_active = models.BooleanField(default=True)
    status = models.CharField(
        max_length=12, choices=PersonStatus.choices, default=PersonStatus.CONFIRMED
    )
    ical_token = models.CharField(max_length=64, unique=True, default=new_ical_token)

    history = HistoricalRecords()

    objects = PersonQuerySet.as_manager()

    # What pages and answers call a person: the first of these that is not empty, else their
    # Slack id. The one statement of the rule: `named`, `name_expression` and `name` read it.
    NAME_FIELDS = ("display_name", "real_name")

    class Meta:
        ordering = ["display_name", "slack_user_id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(slack_user_id__isnull=False) | Q(user__isnull=False),
                name="person_is_someone",
            ),
            models.CheckConstraint(
                condition=Q(status__in=PersonStatus.values), name="person_status_valid"
            ),
        ]

    @staticmethod
    def named(*names: str) -> str:
        """The name shown of someone with these NAME_FIELDS values ("" when all are empty)."""
        return next((name for name in names if name), "")

    @staticmethod
    def labelled(name: str, slack_user_id: str) -> str:
        """Someone in text: "Alice Nguyen (U_ALICE)", or the Slack id alone where no name is
        known."""
        return f"{name} ({slack_user_id})" if name else slack_user_id

    @classmethod
    def name_expression(cls) -> Coalesce:
        """`named` for `.annotate()`: null when every name field is empty."""
        return Coalesce(*(NullIf(field, Value("")) for field in cls.NAME_FIELDS))

    @property
    def known_name(self) -> str:
        """Their name ("" when the directory has none)."""
        return self.named(*(getattr(self, field) for field in self.NAME_FIELDS))

    @property
    def name(self) -> str:
        """What pages and answers call the person: `known_name`, else their Slack id."""
        return self.known_name or self.slack_user_id or str(self.user or "")

    def __str__(self) -> str:
        if self.slack_user_id:
            return self.labelled(self.known_name, self.slack_user_id)
        return f"{self.user} (no Slack id)"

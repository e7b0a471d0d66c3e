# Bounds on what a team, a member and time away hold (oncall_project.base.bounds: a description
# of 2,000 characters, metadata of 16 KB, dates from 1970 to 2100), checked by validators: the
# database is unchanged by them.
#
# Team names become unique whatever the case (a unique index on lower(name)), so a lookup by
# name finds one team or none. Teams whose names already clash are renamed first: the one that
# keeps the name is an active team before a deleted one, the oldest before a newer one; each
# other gets a suffix (" (2)", " (3)", …) and the rename is written to the audit log and to the
# team's history, by the system, with the name it clashed with.

import collections
import datetime

import django.core.validators
import django.db.models.functions.text
import oncall_project.base.bounds
from django.db import migrations, models
from django.utils import timezone

MIGRATION = "teams.0003_unique_names_and_bounds"
MAX_NAME = 120


def free_name(name: str, taken: set[str]) -> str:
    for number in range(2, len(taken) + 3):
        suffix = f" ({number})"
        candidate = name[: MAX_NAME - len(suffix)] + suffix
        if candidate.lower() not in taken:
            return candidate
    raise AssertionError("unreachable: more suffixes than names")


def rename_clashes(apps, schema_editor):
    Team = apps.get_model("teams", "Team")
    by_name = collections.defaultdict(list)
    for team in Team.objects.order_by("-is_active", "created_at", "id"):
        by_name[team.name.lower()].append(team)
    taken = set(by_name)
    for keeper, *others in by_name.values():
        for team in others:
            new_name = free_name(team.name, taken)
            taken.add(new_name.lower())
            record_rename(apps, team, new_name, keeper.name)


def record_rename(apps, team, new_name: str, kept_by: str) -> None:
    Team = apps.get_model("teams", "Team")
    old_name, team.name = team.name, new_name
    team.save(update_fields=["name", "updated_at"])
    reason = f"Team names are unique whatever the case: '{old_name}' clashed with '{kept_by}'."
    apps.get_model("audit", "AuditLog").objects.create(
        team_id=team.pk,
        entity_type="team",
        entity_id=str(team.pk),
        action="updated",
        actor_type="system",
        actor_id="system",
        changes={"name": {"old": old_name, "new": new_name}},
        metadata={"source": "migration", "migration": MIGRATION},
        change_reason=reason,
    )
    values = {field.attname: getattr(team, field.attname) for field in Team._meta.concrete_fields}
    apps.get_model("teams", "HistoricalTeam").objects.create(
        **values,
        history_date=timezone.now(),
        history_type="~",
        history_change_reason="Renamed: the name clashed with another team's.",
    )


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_entity_type_valid'),
        ('teams', '0002_oncall_version_and_weight_cap'),
    ]

    operations = [
        migrations.RunPython(rename_clashes, migrations.RunPython.noop, elidable=True),
        migrations.AddConstraint(
            model_name='team',
            constraint=models.UniqueConstraint(django.db.models.functions.text.Lower('name'), name='team_name_unique_ci'),
        ),
        migrations.AlterField(
            model_name='historicalteam',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='historicalteam',
            name='metadata',
            field=models.JSONField(blank=True, default=dict, validators=[oncall_project.base.bounds.validate_metadata_size]),
        ),
        migrations.AlterField(
            model_name='historicalteam',
            name='rotation_start_date',
            field=models.DateField(blank=True, null=True, validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='historicalteammembership',
            name='joined_at',
            field=models.DateField(default=datetime.date.today, validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='historicalunavailability',
            name='end_date',
            field=models.DateField(validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='historicalunavailability',
            name='start_date',
            field=models.DateField(validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='team',
            name='description',
            field=models.TextField(blank=True, max_length=2000, validators=[django.core.validators.MaxLengthValidator(2000)]),
        ),
        migrations.AlterField(
            model_name='team',
            name='metadata',
            field=models.JSONField(blank=True, default=dict, validators=[oncall_project.base.bounds.validate_metadata_size]),
        ),
        migrations.AlterField(
            model_name='team',
            name='rotation_start_date',
            field=models.DateField(blank=True, null=True, validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='teammembership',
            name='joined_at',
            field=models.DateField(default=datetime.date.today, validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='unavailability',
            name='end_date',
            field=models.DateField(validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
        migrations.AlterField(
            model_name='unavailability',
            name='start_date',
            field=models.DateField(validators=[oncall_project.base.bounds.validate_date_in_window]),
        ),
    ]

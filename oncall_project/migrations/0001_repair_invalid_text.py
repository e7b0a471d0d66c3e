# Text that is not valid Unicode (lone surrogates, which JSON's \u escapes can spell) was let
# into JSON columns until the API's parser and the forms refused it: on SQLite such a column keeps
# it as written, and every list, page and audit entry showing the row then failed. Here each such
# text is replaced with U+FFFD, in the rows of every app and in their history (the row versions
# django-simple-history keeps), and each entity repaired gets an audit entry by the system that
# says so, with what it held written as escapes. Audit entries that held such text are repaired
# in place and say so in their metadata.
#
# PostgreSQL's jsonb never accepts a lone surrogate: there nothing can need repair and nothing
# is read.

import re

from django.db import migrations, models
from django.db.models.functions import Cast
from django.utils import timezone

MIGRATION = "oncall_project.0001_repair_invalid_text"
REASON = "Text that was not valid Unicode (a lone surrogate) was replaced with U+FFFD."
LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The apps whose rows hold JSON, and the audit log's entity type of each model (its history's
# rows count for the same entity).
ENTITY_TYPES = {
    "teams.team": "team",
    "services.service": "service",
    "schedules.schedule": "schedule",
    "escalation.escalation": "escalation",
}


def _fixed(value, replace):
    if isinstance(value, str):
        return LONE_SURROGATE.sub(replace, value)
    if isinstance(value, list):
        return [_fixed(item, replace) for item in value]
    if isinstance(value, dict):
        return {_fixed(key, replace): _fixed(item, replace) for key, item in value.items()}
    return value


def _escaped(match) -> str:
    return f"\\u{ord(match.group()):04x}"


def _repair_rows(model, field: str):
    """Rows whose `field` held a lone surrogate, repaired: (row, value before as escapes)."""
    # Only rows whose JSON text holds a \u escape of the surrogate range's first byte.
    suspects = model.objects.annotate(held=Cast(field, models.TextField())).filter(
        held__contains="\\ud"
    )
    for row in list(suspects):
        value = getattr(row, field)
        repaired = _fixed(value, "\ufffd")
        if repaired != value:
            model.objects.filter(pk=row.pk).update(**{field: repaired})
            yield row, _fixed(value, _escaped), repaired


def _json_fields(model) -> list[str]:
    return [f.name for f in model._meta.concrete_fields if isinstance(f, models.JSONField)]


def repair_entities(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    for label, entity_type in ENTITY_TYPES.items():
        app_label, name = label.split(".")
        repaired = {}
        for model_name in (name, f"historical{name}"):
            model = apps.get_model(app_label, model_name)
            current = model_name == name
            for field in _json_fields(model):
                for row, old, new in _repair_rows(model, field):
                    entry = repaired.setdefault(row.id, {"changes": {}, "history_rows": 0})
                    entry["team_id"] = row.id if name == "team" else getattr(row, "team_id", None)
                    if current:
                        entry["changes"][field] = {"old": old, "new": new}
                    else:
                        entry["history_rows"] += 1
        for entity_id, entry in repaired.items():
            _record(apps, entity_type, entity_id, entry)


def _record(apps, entity_type: str, entity_id, entry: dict) -> None:
    apps.get_model("audit", "AuditLog").objects.create(
        team_id=entry["team_id"],
        entity_type=entity_type,
        entity_id=str(entity_id),
        action="updated",
        actor_type="system",
        actor_id="system",
        changes=entry["changes"],
        metadata={
            "source": "migration",
            "migration": MIGRATION,
            "history_rows": entry["history_rows"],
        },
        change_reason=REASON,
    )


def repair_audit_log(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        return
    audit_log = apps.get_model("audit", "AuditLog")
    # metadata first, so the note added to it is added to repaired metadata
    for field in ("metadata", "changes"):
        for row, _, _ in _repair_rows(audit_log, field):
            metadata = audit_log.objects.values_list("metadata", flat=True).get(pk=row.pk)
            note = {"repaired": REASON, "by": MIGRATION, "at": timezone.now().isoformat()}
            audit_log.objects.filter(pk=row.pk).update(metadata={**metadata, **note})


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0003_entity_type_account'),
        ('escalation', '0003_notification_moves_to_outbox'),
        ('schedules', '0002_bounds'),
        ('services', '0002_bounds'),
        ('teams', '0003_unique_names_and_bounds'),
    ]

    operations = [
        # The audit log first: the entries written next hold no such text.
        migrations.RunPython(repair_audit_log, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(repair_entities, migrations.RunPython.noop, elidable=True),
    ]

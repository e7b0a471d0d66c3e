"""Small conversions shared by the table importers."""

import datetime
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from audit.log import LegacyEvent, invalid_fields
from oncall_project.base.writes import json_safe
from oncall_project.legacy.errors import LegacyImportError

IMPORT_SOURCE = "legacy_import"
NOTES_KEY = "legacy_import"
GITHUB_SHORT = re.compile(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+")


def ref(table: str, pk: Any) -> str:
    """A legacy row's id here: its table, so `teams` and `service_groups` ids never clash."""
    return f"{table}:{pk}"


def text(value: Any) -> str:
    """Legacy NULL text is our empty string."""
    return "" if value is None else str(value)


def extra_columns(row: dict[str, Any], known: frozenset[str]) -> dict[str, Any]:
    """Columns this importer has no field for, JSON-ready, so they are kept, not dropped."""
    return {name: json_safe(value) for name, value in row.items() if name not in known}


def stamps(row: dict[str, Any]) -> tuple[datetime.datetime | None, datetime.datetime | None]:
    created = aware(row.get("created_at"))
    return created, aware(row.get("updated_at")) or created


def aware(value: Any) -> Any:
    """A `timestamp without time zone` column is read as UTC, like the rest of the system."""
    if isinstance(value, datetime.datetime) and value.tzinfo is None:
        return value.replace(tzinfo=datetime.UTC)
    return value


def with_notes(base: Any, notes: dict[str, Any]) -> dict[str, Any]:
    """Legacy metadata as it was, plus what the import kept aside under one key."""
    metadata = dict(base) if isinstance(base, dict) else {}
    if base is not None and not isinstance(base, dict):
        notes = {**notes, "metadata": json_safe(base)}
    notes = {key: value for key, value in notes.items() if value not in (None, {}, "")}
    if notes:
        metadata[NOTES_KEY] = notes
    return metadata


def validate(
    instance: models.Model,
    where: str,
    *,
    soft: frozenset[str] = frozenset(),
    exclude: tuple[str, ...] = ("team",),
) -> dict[str, Any]:
    """full_clean() the row: fields, choices, validators and clean(). A bad value in a `soft`
    field (one the row can do without) is taken out, blanked and returned, for the caller to
    keep in metadata; any other error stops the import, naming the legacy row.

    Uniqueness is checked for all rows at once instead (legacy ids, slugs, service names,
    overlaps), and the database's constraints stay the last word: one query per row each
    would make a large import crawl."""
    errors = _errors(instance, exclude)
    kept: dict[str, Any] = {}
    if errors and set(errors) <= soft:
        for name in errors:
            kept[name] = json_safe(getattr(instance, name))
            setattr(instance, name, _empty(instance._meta.get_field(name)))
        errors = _errors(instance, exclude)
    _stop_if_invalid(errors, where)
    return kept


def validate_entry(event: LegacyEvent, where: str) -> None:
    """An audit entry's codes and lengths, as the audit log would check them."""
    _stop_if_invalid(invalid_fields(event), where)


def _stop_if_invalid(errors: dict[str, list], where: str) -> None:
    if errors:
        detail = "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in errors.items())
        raise LegacyImportError(f"{where}: {detail}")


def _empty(field: models.Field) -> Any:
    """Blank where the field may be blank (no invented value), else the field's default."""
    if field.blank and isinstance(field, models.CharField):
        return ""
    return field.get_default()


def _errors(instance: models.Model, exclude: tuple[str, ...]) -> dict[str, list]:
    try:
        # The team was just resolved from our own rows: no query per row to re-check it.
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict if hasattr(exc, "error_dict") else {"row": exc.messages}
    return {}

"""Names beside Slack ids in API answers: `engineer_name` next to `engineer_slack_id`."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from teams.selectors import names_for


@extend_schema_field({"type": "string", "nullable": True})
class PersonNameField(serializers.Field):
    """The people directory's name for the Slack id in `id_field`; null when it has none.
    Lists annotate it on their rows (teams.selectors.with_names: no extra query); a row an
    action just wrote is looked up, one query."""

    def __init__(self, *, id_field: str, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("allow_null", True)
        kwargs.setdefault("help_text", f"The people directory's name for `{id_field}`.")
        super().__init__(**kwargs)
        self.id_field = id_field

    def get_attribute(self, instance):
        if hasattr(instance, self.field_name):
            return getattr(instance, self.field_name)
        slack_id = getattr(instance, self.id_field, "") or ""
        return names_for([slack_id]).get(slack_id)

    def to_representation(self, value):
        return value or None


NAMES_CONTEXT = "people_names"  # serializer context: Slack id → name, read once for a list


@extend_schema_field({"type": "array", "items": {"type": "string", "nullable": True}})
class PeopleNamesField(serializers.Field):
    """The people directory's names of the Slack ids listed in `ids_field`, in their order
    (null where it has none). A list's view reads them once for all its rows
    (`people_names`); a single row is one query."""

    def __init__(self, *, ids_field: str, **kwargs):
        kwargs.setdefault("read_only", True)
        kwargs.setdefault("help_text", f"The people directory's names for `{ids_field}`.")
        super().__init__(**kwargs)
        self.ids_field = ids_field

    def get_attribute(self, instance):
        ids = list(getattr(instance, self.ids_field, None) or [])
        known = self.context.get(NAMES_CONTEXT)
        if known is None:
            known = names_for(i for i in ids if isinstance(i, str))
        return [known.get(i) if isinstance(i, str) else None for i in ids]

    def to_representation(self, value):
        return value


def people_names(rows, ids_field: str) -> dict[str, dict[str, str]]:
    """The serializer context giving `PeopleNamesField` the names of every row's ids at once."""
    ids = {i for row in rows for i in getattr(row, ids_field, None) or [] if isinstance(i, str)}
    return {NAMES_CONTEXT: names_for(ids)}

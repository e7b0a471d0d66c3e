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

"""Request bodies: unknown or read-only keys are refused, never silently dropped."""

from collections.abc import Mapping

from rest_framework import parsers, serializers
from rest_framework.exceptions import ParseError
from rest_framework.validators import UniqueValidator

from oncall_project.base.json_input import TOO_DEEP, too_deep


class JSONParser(parsers.JSONParser):
    """DRF's, refusing a body nested too deeply as a 400 (see oncall_project.base.json_input)."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(f"JSON parse error - {TOO_DEEP}") from exc
        if too_deep(data):
            raise ParseError(f"JSON parse error - {TOO_DEEP}")
        return data


class StrictInputMixin:
    def unknown_field_message(self, name: str) -> str:
        return "Unknown or read-only field."

    def to_internal_value(self, data):
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {name: [self.unknown_field_message(name)] for name in unknown}
                )
        return super().to_internal_value(data)


class InputSerializer(StrictInputMixin, serializers.Serializer):
    pass


class ModelInputSerializer(StrictInputMixin, serializers.ModelSerializer):
    """Types and formats from the model; uniqueness and cross-field rules are left to the action's
    full_clean(), so there is one source of truth."""

    def get_validators(self):
        return []

    def build_field(self, *args, **kwargs):
        field_class, field_kwargs = super().build_field(*args, **kwargs)
        field_kwargs["validators"] = [
            v for v in field_kwargs.get("validators", []) if not isinstance(v, UniqueValidator)
        ]
        return field_class, field_kwargs


class CompleteInputSerializer(InputSerializer):
    """A body that is complete even in a PATCH, e.g. a state transition: every required field
    stays required (in validation and in the schema)."""

    @property
    def partial(self) -> bool:
        return False

    @partial.setter
    def partial(self, value: bool) -> None:
        """Ignored: DRF and drf-spectacular set it for every PATCH."""

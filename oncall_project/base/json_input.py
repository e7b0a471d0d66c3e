"""JSON typed in by people or sent by clients, nested at most MAX_DEPTH levels: deeper input is
bad input, refused where it is parsed, not left to fail as a RecursionError (a 500) in whatever
walks it next (the decoder itself, the audit diff, the renderer)."""

from django import forms
from django.forms.fields import InvalidJSONInput

MAX_DEPTH = 32
TOO_DEEP = f"JSON nested more than {MAX_DEPTH} levels deep."


def too_deep(value, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and objects nest more than `limit` levels (walked without recursion)."""
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            if depth >= limit:
                return True
            stack.extend((child, depth + 1) for child in item)
    return False


class JSONField(forms.JSONField):
    """Django's JSON form field, refusing input nested too deeply as invalid."""

    def to_python(self, value):
        try:
            converted = super().to_python(value)
        except RecursionError as exc:
            raise forms.ValidationError(TOO_DEEP, code="invalid") from exc
        if too_deep(converted):
            raise forms.ValidationError(TOO_DEEP, code="invalid")
        return converted

    def bound_data(self, data, initial):
        """The form shown again keeps what was typed, without parsing it again too deeply."""
        try:
            value = super().bound_data(data, initial)
        except RecursionError:
            return InvalidJSONInput(data)
        return InvalidJSONInput(data) if too_deep(value) else value

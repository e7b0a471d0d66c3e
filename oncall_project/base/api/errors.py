"""One error shape across the API: {"detail": "…", "errors": {"field": ["message", …]}}.

Domain errors carry their own status (400/403/404/409); DRF's exceptions (validation, parse,
authentication, permission, not found, throttling) are reshaped to the same body."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from oncall_project.base.errors import Conflict, DomainError, InvalidInput, engine_errors

NON_FIELD = "non_field_errors"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in one sentence.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Messages per input field (nested fields joined with dots); "
        "empty when the error is not about a field.",
    )

    class Meta:
        ref_name = "Error"


def error_body(detail: str, errors: Mapping[str, list[str]] | None = None) -> dict[str, Any]:
    return {"detail": detail, "errors": dict(errors or {})}


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """DRF's nested error detail → {"field": [...], "items.0.field": [...]}."""
    if isinstance(detail, Mapping):
        flat: dict[str, list[str]] = {}
        for key, value in detail.items():
            name = str(key) if key != NON_FIELD or not prefix else ""
            flat.update(flatten_errors(value, f"{prefix}.{name}".strip(".")))
        return flat
    if isinstance(detail, list) and any(isinstance(item, Mapping | list) for item in detail):
        flat = {}
        for index, item in enumerate(detail):
            flat.update(flatten_errors(item, f"{prefix}.{index}".strip(".")))
        return flat
    messages = detail if isinstance(detail, list) else [detail]
    return {prefix or NON_FIELD: [str(message) for message in messages]}


def _validation_body(exc: ValidationError) -> dict[str, Any]:
    errors = flatten_errors(exc.detail)
    field, messages = next(iter(errors.items()), (NON_FIELD, ["Invalid input."]))
    detail = messages[0] if field == NON_FIELD else f"{field}: {messages[0]}"
    return error_body(detail, errors)


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = InvalidInput.from_validation_error(exc)
    if isinstance(exc, engine_errors()):
        # Stored data the engine cannot read (a team's time zone that a tzdata update removed):
        # a refusal that says what to fix, not a 500.
        exc = Conflict(f"This team's on-call cannot be worked out: {exc}")
    if isinstance(exc, DomainError):
        set_rollback()
        return Response(error_body(exc.message, exc.errors), status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = _validation_body(exc)
    else:
        data = response.data
        detail = data.get("detail", "") if isinstance(data, Mapping) else data
        response.data = error_body(str(detail))
    return response

"""Domain errors with user-facing messages. The API maps them to 400/403/404/409; pages show
them as form errors."""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    status_code = 400

    def __init__(self, message: str, errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class InvalidInput(DomainError):
    """Bad input: 400 with field messages."""

    @classmethod
    def from_validation_error(cls, exc: ValidationError) -> "InvalidInput":
        if hasattr(exc, "error_dict"):
            errors = {field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()}
        else:
            errors = {"non_field_errors": [str(m) for m in exc.messages]}
        first = next(iter(errors.values()))[0]
        return cls(first, errors)


class Conflict(DomainError):
    """A refused transition or an overlap: 409."""

    status_code = 409


class NotFound(DomainError):
    status_code = 404


class Forbidden(DomainError):
    status_code = 403


# Error classes of the pure engines (they import nothing of this project, so they cannot raise
# a DomainError): what they say about stored data they cannot read, e.g. a team's time zone that
# a tzdata update removed. Each app registers its engine's class when it is ready (schedules
# does); the API answers them 409 and pages show them, instead of a 500.
_engine_errors: list[type[Exception]] = []


def register_engine_error(error_class: type[Exception]) -> None:
    if error_class not in _engine_errors:
        _engine_errors.append(error_class)


def engine_errors() -> tuple[type[Exception], ...]:
    return tuple(_engine_errors)

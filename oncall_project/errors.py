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

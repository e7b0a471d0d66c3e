"""Request context (request id, client address) carried into audit metadata."""

from contextvars import ContextVar

request_context: ContextVar[dict | None] = ContextVar("request_context", default=None)


def current() -> dict:
    return dict(request_context.get() or {})

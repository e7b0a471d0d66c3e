"""Errors the on-call engine raises, with messages fit to show a user."""


class DomainError(ValueError):
    """Input the on-call engine cannot work with (bad dates, unknown kind, unknown zone…)."""

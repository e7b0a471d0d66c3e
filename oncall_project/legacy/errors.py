"""The one way the import stops: a message naming the table and legacy row, nothing written."""

from oncall_project.base.errors import DomainError


class LegacyImportError(DomainError):
    """The legacy data cannot be imported as it is; the whole import was rolled back."""

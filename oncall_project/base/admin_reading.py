"""Admin pages that only read: history at checked addresses, and models only the system
writes (the audit log, the ledger, the outbox)."""

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404


class HistoryReadMixin:
    """For every SimpleHistoryAdmin (put it first): history is for reading, at checked addresses.

    simple-history looks the ids in its addresses up as given, so a malformed one would be a
    500 instead of a 404; and a POST to a version's page would save that old row back without
    an action, even over rows only the system writes (the ledger, escalations)."""

    def history_view(self, request, object_id, extra_context=None):
        self.check_history_address(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        self.check_history_address(object_id, version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        return True

    def check_history_address(self, object_id: str, version_id: str | None = None) -> None:
        history_model = getattr(self.model, self.opts.simple_history_manager_attribute).model
        try:
            self.opts.pk.to_python(unquote(object_id))
            if version_id is not None:
                history_model._meta.pk.to_python(version_id)
        except ValidationError as exc:
            raise Http404("No such version.") from exc


def malformed_selection(model_admin: admin.ModelAdmin, request) -> bool:
    """Whether a changelist POST selects a row by an id its primary key cannot hold."""
    pk = model_admin.opts.pk
    try:
        for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
            pk.to_python(value)
    except ValidationError:
        return True
    return False


class ReadOnlyAdminMixin:
    """Written only by the system (the audit log, the ledger, the outbox): operators look."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

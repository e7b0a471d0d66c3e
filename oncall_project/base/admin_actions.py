"""The admin writes through the actions, like every other interface.

A model admin names its actions in three hooks (`create`, `update`, `delete`); the mixins here
run them while the form validates, inside a savepoint, so a refused write (a `DomainError`)
becomes a form error instead of a 500. By the time Django calls `save_model`, the action has
already saved and audited the row, so the save hooks only keep Django's bookkeeping.
"""

from collections.abc import Callable
from typing import Any

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.forms import BaseForm
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import InlineForeignKeyField
from django.http import HttpResponseRedirect
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from oncall_project.base.actors import Actor
from oncall_project.base.admin_reading import HistoryReadMixin, malformed_selection
from oncall_project.base.errors import DomainError


def admin_actor(request) -> Actor:
    return Actor.from_user(request.user, "admin")


def add_domain_error(form: BaseForm, exc: DomainError) -> None:
    """Field messages go on their fields (or on top when the field is not on the form)."""
    for field, field_messages in exc.errors.items():
        form.add_error(field if field in form.fields else None, list(field_messages))
    if not any(exc.message in msgs for msgs in exc.errors.values()):
        form.add_error(None, exc.message)


def write_or_add_errors(form: BaseForm, write: Callable[[], Any]) -> Any:
    """Run one action in its own savepoint; a refusal lands on the form and returns None."""
    try:
        with transaction.atomic():
            return write()
    except DomainError as exc:
        add_domain_error(form, exc)
        return None


def form_data(form: BaseForm, names) -> dict[str, Any]:
    """The model fields the user can set: never the primary key, the parent link or DELETE."""
    pk_name = form._meta.model._meta.pk.name
    return {
        name: form.cleaned_data[name]
        for name in names
        if name in form.cleaned_data
        and name not in (pk_name, DELETION_FIELD_NAME)
        and not isinstance(form.fields[name], InlineForeignKeyField)
    }


def adopt(instance: models.Model, saved: models.Model) -> None:
    """Make the form's instance the row the action saved (inline formsets hold the former)."""
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


class ActionAdmin(HistoryReadMixin, SimpleHistoryAdmin):
    """A model admin whose add, change and delete go through the app's actions."""

    def create(self, *, actor: Actor, fields: dict[str, Any]) -> models.Model:
        raise PermissionDenied

    def update(self, *, obj: models.Model, actor: Actor, changes: dict[str, Any]) -> models.Model:
        raise PermissionDenied

    def delete(self, *, obj: models.Model, actor: Actor) -> None:
        raise PermissionDenied

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change=change, **kwargs)
        actor = admin_actor(request)
        admin_ = self

        class ActionForm(form_class):
            def _post_clean(self):
                super()._post_clean()  # the model's own validation first
                if not self._errors:
                    admin_.write_form(self, actor)

        return ActionForm

    def write_form(self, form: BaseForm, actor: Actor) -> None:
        """Create, or update with the fields the user changed (the action re-reads the row)."""
        instance = form.instance
        if instance._state.adding:
            fields = form_data(form, form.fields)
            saved = write_or_add_errors(form, lambda: self.create(actor=actor, fields=fields))
        else:
            changes = form_data(form, form.changed_data)
            if not changes:
                return
            saved = write_or_add_errors(
                form, lambda: self.update(obj=instance, actor=actor, changes=changes)
            )
        if saved is not None:
            adopt(instance, saved)

    def render_change_form(self, request, context, *args, **kwargs):
        # Django's own preparation may query (the content type, on a cold cache): before the
        # transaction is marked, as a marked one refuses every query.
        response = super().render_change_form(request, context, *args, **kwargs)
        if request.method == "POST":
            # The form is shown again, so some part of it (the form or an inline) was refused:
            # undo what the valid parts already wrote.
            transaction.set_rollback(True)
        return response

    def save_model(self, request, obj, form, change):
        """Saved by the action while the form validated."""

    def save_formset(self, request, form, formset, change):
        """Saved by the inline's actions while the formset validated."""

    def delete_model(self, request, obj):
        self.delete(obj=obj, actor=admin_actor(request))

    def delete_queryset(self, request, queryset):
        actor = admin_actor(request)
        for obj in queryset:
            self.delete(obj=obj, actor=actor)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            opts = self.opts
            url = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change"
            return HttpResponseRedirect(reverse(url, args=[object_id]))

    def changelist_view(self, request, extra_context=None):
        # Django filters the selection by the ids as posted: a malformed one would be a 500.
        if request.method == "POST" and malformed_selection(self, request):
            self.message_user(
                request,
                "The selection names rows that do not exist; nothing was done.",
                messages.ERROR,
            )
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def response_action(self, request, queryset):
        """A bulk action is all or nothing; a refusal is a message, not a 500."""
        try:
            with transaction.atomic():
                return super().response_action(request, queryset)
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


def run_each(modeladmin, request, queryset, write: Callable[[Any, Actor], Any], done: str) -> None:
    """An admin action on each selected row, one transaction each: refusals are reported, the
    others still happen."""
    actor, succeeded = admin_actor(request), 0
    for obj in queryset:
        try:
            with transaction.atomic():
                write(obj, actor)
        except DomainError as exc:
            modeladmin.message_user(request, f"{obj}: {exc.message}", messages.ERROR)
        else:
            succeeded += 1
    if succeeded:
        opts = modeladmin.opts
        noun = opts.verbose_name if succeeded == 1 else opts.verbose_name_plural
        modeladmin.message_user(request, f"{done} {succeeded} {noun}.", messages.SUCCESS)


class SoftDeleteAdmin(ActionAdmin):
    """`delete` is a soft delete (is_active = False), undone by `restore`."""

    actions = ["soft_delete_selected", "restore_selected"]

    def restore(self, *, obj: models.Model, actor: Actor) -> None:
        raise PermissionDenied

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def get_deleted_objects(self, objs, request):
        """A soft delete removes nothing else: list only the rows themselves."""
        rows = [str(obj) for obj in objs]
        return rows, {self.opts.verbose_name_plural: len(rows)}, set(), []

    @admin.action(
        description="Soft delete selected %(verbose_name_plural)s", permissions=["delete"]
    )
    def soft_delete_selected(self, request, queryset):
        run_each(self, request, queryset, lambda o, a: self.delete(obj=o, actor=a), "Soft deleted")

    @admin.action(description="Restore selected %(verbose_name_plural)s", permissions=["change"])
    def restore_selected(self, request, queryset):
        run_each(self, request, queryset, lambda o, a: self.restore(obj=o, actor=a), "Restored")


class ActionInline(admin.TabularInline):
    """Inline rows written through actions while the formset validates."""

    def create_row(self, *, parent: models.Model, actor: Actor, fields: dict) -> models.Model:
        raise PermissionDenied

    def update_row(self, *, obj: models.Model, actor: Actor, changes: dict) -> models.Model:
        raise PermissionDenied

    def delete_row(self, *, obj: models.Model, actor: Actor) -> None:
        raise PermissionDenied

    def get_formset(self, request, obj=None, **kwargs):
        formset_class = super().get_formset(request, obj, **kwargs)
        actor, inline = admin_actor(request), self

        class ActionFormSet(formset_class):
            def clean(self):
                super().clean()
                inline.write_rows(self, actor)

        return ActionFormSet

    def write_rows(self, formset, actor: Actor) -> None:
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if formset.instance._state.adding or any(formset.errors):
            return  # the parent was refused or a row is invalid: the page is shown again
        for form in formset.forms:
            if form.cleaned_data.get(DELETION_FIELD_NAME):
                self._delete(form, actor, formset)
            elif form.instance._state.adding and form.has_changed():
                self._create(form, actor, formset)
            elif form.changed_data:
                self._update(form, actor, formset)

    def _create(self, form, actor: Actor, formset) -> None:
        fields = form_data(form, form.fields)
        saved = write_or_add_errors(
            form, lambda: self.create_row(parent=formset.instance, actor=actor, fields=fields)
        )
        if saved is not None:
            adopt(form.instance, saved)
            formset.new_objects.append(form.instance)

    def _update(self, form, actor: Actor, formset) -> None:
        changes = form_data(form, form.changed_data)
        if not changes:
            return
        saved = write_or_add_errors(
            form, lambda: self.update_row(obj=form.instance, actor=actor, changes=changes)
        )
        if saved is not None:
            formset.changed_objects.append((form.instance, list(changes)))

    def _delete(self, form, actor: Actor, formset) -> None:
        if form.instance._state.adding:
            return
        try:
            with transaction.atomic():
                self.delete_row(obj=form.instance, actor=actor)
        except DomainError as exc:
            raise ValidationError(f"{form.instance}: {exc.message}") from exc
        formset.deleted_objects.append(form.instance)

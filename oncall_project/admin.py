"""API tokens in the admin: listed and revoked (audited), never created here — that is
`manage.py create_api_token`, which shows the token once — and never shown by their digest,
the primary key: a hash of the token, so the list names a token by its key (its first
characters, as the audit log does)."""

import knox.admin  # noqa: F401 — knox registers its stock admin first; this one replaces it
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.auth import get_user_model
from django.forms import CheckboxInput
from django.http import HttpResponseRedirect
from django.urls import path
from knox.models import get_token_model

from oncall_project.base.admin_actions import admin_actor
from oncall_project.base.errors import DomainError
from oncall_project.tokens import api_token_revoke

AuthToken = get_token_model()
if admin.site.is_registered(AuthToken):
    admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "created", "expiry")
    list_display_links = None
    list_select_related = ("user",)
    search_fields = ("token_key", f"user__{get_user_model().USERNAME_FIELD}")
    ordering = ("-created",)
    actions = ["revoke_selected"]

    @admin.display(description="Token", ordering="token_key")
    def name(self, obj) -> str:
        return f"{obj.token_key}…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # Django's delete is not audited: tokens are revoked

    def has_revoke_permission(self, request) -> bool:
        return request.user.has_perm(f"{self.opts.app_label}.delete_{self.opts.model_name}")

    def get_urls(self):
        """The list, and the add page only to refuse it: every other page would be addressed,
        and titled, by the digest."""
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        view = self.admin_site.admin_view
        return [
            path("", view(self.changelist_view), name=f"{info}_changelist"),
            path("add/", view(self.add_view), name=f"{info}_add"),
        ]

    def action_checkbox(self, obj):
        """Selected by key: Django's checkbox carries the digest and labels itself with it."""
        attrs = {"class": "action-select", "aria-label": f"Select token {obj.token_key}"}
        return CheckboxInput(attrs, lambda value: False).render(
            helpers.ACTION_CHECKBOX_NAME, obj.token_key
        )

    def response_action(self, request, queryset):
        # Django selects by primary key: turn the posted keys into the rows they name.
        keys = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        digests = [
            str(pk) for pk in queryset.filter(token_key__in=keys).values_list("pk", flat=True)
        ]
        if not digests:
            self.message_user(
                request, "No such API token (already revoked?): nothing was done.", messages.ERROR
            )
            return HttpResponseRedirect(request.get_full_path())
        post = request.POST.copy()
        post.setlist(helpers.ACTION_CHECKBOX_NAME, digests)
        request.POST = post
        return super().response_action(request, queryset)

    @admin.action(description="Revoke selected API tokens", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        actor, revoked = admin_actor(request), 0
        for token in queryset:
            try:
                api_token_revoke(token=token, actor=actor)
            except DomainError as exc:
                self.message_user(request, exc.message, messages.ERROR)
            else:
                revoked += 1
        if revoked:
            self.message_user(request, f"Revoked {revoked} API token(s).", messages.SUCCESS)

"""The services directory: filters, search, who is on call for each service, and create, edit
and (soft) delete through the service actions; and "who is on call for…" a service or a team."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from oncall_project.base.errors import Forbidden
from oncall_project.base.pages import (
    page_actor,
    page_allowed,
    paginate,
    query_without_page,
    run_action,
    run_button,
)
from schedules.forms import LookupForm
from services import actions
from services.forms import ServiceFilterForm, ServiceForm
from services.models import Service
from services.selectors import directory as directory_selectors
from services.selectors import who

FORM_FIELDS = list(ServiceForm.base_fields)


def _service(pk) -> Service:
    return get_object_or_404(Service.objects.select_related("team"), pk=pk)


def _may_manage(request: HttpRequest, service: Service) -> bool:
    """Whether to show the edit and delete buttons; the actions decide for real."""
    try:
        actions.ensure_can_manage_service(actor=page_actor(request), team=service.team)
    except Forbidden:
        return False
    return True


@login_required
def directory(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET, environments=directory_selectors.environments())
    filters = form.cleaned_data if form.is_valid() else {}
    services = directory_selectors.service_directory(
        search=filters.get("search", ""),
        team=filters.get("team"),
        tier=filters.get("tier", ""),
        environment=filters.get("environment", ""),
        active=filters.get("active") or "active",
    )
    page = paginate(request, services)
    answers, names = directory_selectors.services_on_call(list(page.object_list), timezone.now())
    rows = [(service, answers[service.pk]) for service in page.object_list]
    return render(
        request,
        "services/directory.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "names": names,
            "query": query_without_page(request),
        },
    )


@login_required
def detail(request: HttpRequest, pk) -> HttpResponse:
    service = _service(pk)
    result = who.lookup(service=service, team=None, at=None)
    return render(
        request,
        "services/detail.html",
        {
            "service": service,
            "result": result,
            "names": result.names,  # everyone the page names: the chain holds owner and primary
            "can_manage": _may_manage(request, service),
        },
    )


@login_required
def lookup(request: HttpRequest) -> HttpResponse:
    """Who is on call for a service or a team, now or at a given time, and why."""
    form = LookupForm(request.GET or None)
    result, matches = None, []
    if form.is_valid():
        service, team, matches = who.find(form.cleaned_data["q"])
        if service or team:
            result = who.lookup(service=service, team=team, at=form.cleaned_data["at"])
        elif not matches:
            form.add_error("q", "No service or team has that name.")
    return render(
        request,
        "services/lookup.html",
        {"form": form, "result": result, "matches": matches, "suggestions": who.suggestions()},
    )


@login_required
def create(request: HttpRequest) -> HttpResponse:
    form = ServiceForm(request.POST or None, initial={"team": request.GET.get("team")})
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.service_create,
            actor=page_actor(request),
            fields=actions.ServiceFields(**form.changes()),
        )
        if done.ok:
            messages.success(request, f"Service {done.value.name} created.")
            return redirect("services:detail", pk=done.value.pk)
    return render(request, "services/form.html", {"form": form})


@login_required
def edit(request: HttpRequest, pk) -> HttpResponse:
    service = _service(pk)
    initial = {name: getattr(service, name) for name in FORM_FIELDS}
    initial["team"] = service.team.slug if service.team else None
    page_allowed(actions.ensure_can_manage_service, actor=page_actor(request), team=service.team)
    form = ServiceForm(request.POST or None, initial=initial, team=service.team)
    if request.method == "POST" and form.is_valid():
        done = run_action(
            form,
            actions.service_update,
            service=service,
            actor=page_actor(request),
            changes=actions.ServiceFields(**form.changes()),
        )
        if done.ok:
            messages.success(request, f"Service {done.value.name} saved.")
            return redirect("services:detail", pk=service.pk)
    return render(request, "services/form.html", {"form": form, "service": service})


@login_required
def delete(request: HttpRequest, pk) -> HttpResponse:
    """GET asks for confirmation; POST soft-deletes (the service can be restored)."""
    service = _service(pk)
    if request.method == "POST":
        if run_button(request, actions.service_soft_delete, service=service).ok:
            messages.success(request, f"Service {service.name} deleted.")
            return redirect("services:directory")
        return redirect("services:detail", pk=service.pk)
    page_allowed(actions.ensure_can_manage_service, actor=page_actor(request), team=service.team)
    return render(request, "services/confirm_delete.html", {"service": service})


@login_required
@require_POST
def restore(request: HttpRequest, pk) -> HttpResponse:
    service = _service(pk)
    if run_button(request, actions.service_restore, service=service).ok:
        messages.success(request, f"Service {service.name} restored.")
    return redirect("services:detail", pk=service.pk)

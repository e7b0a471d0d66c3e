""" "Who is on call for…": a service or a team, by name, at any instant. It finds services and
teams alike, so it lives here, above both."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from schedules.forms import LookupForm
from services import page_selectors as service_selectors


@login_required
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    result, matches = None, []
    if form.is_valid():
        service, team, matches = service_selectors.find(form.cleaned_data["q"])
        if service or team:
            result = service_selectors.lookup(
                service=service, team=team, at=form.cleaned_data["at"]
            )
        elif not matches:
            form.add_error("q", "No service or team has that name.")
    return render(
        request,
        "schedules/lookup.html",
        {
            "form": form,
            "result": result,
            "matches": matches,
            "suggestions": service_selectors.suggestions(),
        },
    )

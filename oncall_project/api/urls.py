"""Everything under /api/v1/. Each app keeps its own URL list in `<app>/api_urls.py`; add an
app's list here. Endpoints that span apps (on-call lookups, coverage gaps) go in `urlpatterns`."""

from django.urls import include, path

urlpatterns = [
    path("", include("teams.api_urls")),
    path("", include("schedules.api_urls")),
    path("", include("services.api_urls")),
    path("", include("audit.api_urls")),
]

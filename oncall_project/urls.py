from django.contrib import admin
from django.urls import include, path, re_path

from oncall_project.base.api.views import DocsView, SchemaView, api_not_found

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("oncall_project.api_urls")),
    path("api/schema/", SchemaView.as_view(), name="schema"),
    path("api/docs/", DocsView.as_view(url_name="schema"), name="api-docs"),
    # Last under /api/: an unknown API path is a 404 in the API's error shape.
    re_path(r"^api/", api_not_found),
    # The server-rendered pages (dashboard, teams, services, audit viewer, iCal) are included here.
    path("slack/", include("escalation.urls")),
    path("accounts/", include("oncall_project.signin.urls")),
    path("", include("oncall_project.pages.urls")),
]

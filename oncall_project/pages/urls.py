"""The server-rendered pages, mounted at /: the dashboard and lookups, teams, services, the
audit viewer and the iCal feeds. Sign-in and sign-out live under /accounts/.

Each app lists its own pages; the pages that span apps (oncall_project.pages, the audit viewer)
join them here, in the apps' namespaces, so every page keeps its name (`teams:detail`, …)."""

from django.urls import URLPattern, include, path

from oncall_project.audit_viewer import views as audit_views
from oncall_project.pages import teams
from schedules import urls as schedule_pages
from services import urls as service_pages
from teams import urls as team_pages


def namespace(name: str, *pages: list[URLPattern]):
    return path("", include(([page for group in pages for page in group], name)))


urlpatterns = [
    namespace("schedules", schedule_pages.urlpatterns),
    namespace(
        "teams",
        team_pages.urlpatterns,
        [
            path("teams/", teams.team_list, name="list"),
            path("teams/<slug:slug>/", teams.team_detail, name="detail"),
            path("teams/<slug:slug>/members/", teams.members, name="members"),
            path("teams/<slug:slug>/away/", teams.unavailability_add, name="away-add"),
        ],
    ),
    namespace("services", service_pages.urlpatterns),
    namespace(
        "audit",
        [
            path("audit/", audit_views.audit_log, name="log"),
            path("teams/<slug:slug>/history/", audit_views.team_history, name="team-history"),
        ],
    ),
]

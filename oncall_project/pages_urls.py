"""The server-rendered pages, mounted at /: the dashboard and lookups, teams, services, the
audit viewer and the iCal feeds. Sign-in and sign-out live under /accounts/."""

from django.urls import include, path

urlpatterns = [
    path("", include("schedules.urls")),
    path("", include("teams.urls")),
    path("", include("services.urls")),
    path("", include("audit.urls")),
]

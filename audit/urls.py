"""The audit log viewer and a team's history tab."""

from django.urls import path

from audit import views

app_name = "audit"

urlpatterns = [
    path("audit/", views.audit_log, name="log"),
    path("teams/<slug:slug>/history/", views.team_history, name="team-history"),
]

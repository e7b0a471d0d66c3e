"""Everything under /api/v1/. Each app keeps its own URL list in `<app>/api_urls.py`; add an
app's list here. Endpoints that span apps (on-call lookups, coverage gaps, the audit log with
its teams) go in `urlpatterns`."""

from django.urls import include, path, re_path
from rest_framework.routers import SimpleRouter

from oncall_project.audit_viewer.api import AuditLogViewSet
from oncall_project.base.api.views import MeView
from schedules.api.coverage import CoverageGapViewSet
from schedules.api.people import PersonScheduleViewSet
from services.api import hot
from services.api.oncall import OnCallViewSet

audit_log = SimpleRouter()
audit_log.register("audit-logs", AuditLogViewSet, basename="audit-log")

urlpatterns = [
    # First: the bot's hot path resolves without walking the apps' routers.
    path(
        "oncall/", hot.hot(OnCallViewSet.as_view({"get": "retrieve"}), hot.SERVICE), name="oncall"
    ),
    path(
        "oncall/mentions/",
        hot.hot(OnCallViewSet.as_view({"get": "mentions"}), hot.MENTIONS),
        name="oncall-mentions",
    ),
    path("me/", MeView.as_view({"get": "retrieve"}), name="me"),
    path("", include("teams.api_urls")),
    path("", include("schedules.api_urls")),
    path("", include("services.api_urls")),
    path("", include(audit_log.urls)),
    path("", include("escalation.api_urls")),
    path("coverage-gaps/", CoverageGapViewSet.as_view({"get": "list"}), name="coverage-gaps"),
    re_path(
        r"^users/(?P<slack_id>[^/.]+)/schedules/$",
        PersonScheduleViewSet.as_view({"get": "retrieve"}),
        name="user-schedules",
    ),
]

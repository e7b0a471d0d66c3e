from django.urls import re_path
from rest_framework.routers import SimpleRouter

from schedules.api.history import OnCallHistoryViewSet
from schedules.api.oncall import TeamOnCallViewSet
from schedules.api.overrides import OverrideViewSet
from schedules.api.rotation import RotationConfigViewSet, RotationPlanViewSet
from schedules.api.schedules import ScheduleViewSet
from schedules.api.teams import TeamViewSet
from teams.api_urls import TEAM

router = SimpleRouter()
# Teams are created here, above teams, because a new team's rotation settings are planned.
router.register("teams", TeamViewSet, basename="team")
router.register(f"{TEAM}/oncall-schedules", ScheduleViewSet, basename="team-schedule")
router.register(f"{TEAM}/oncall-overrides", OverrideViewSet, basename="team-override")
router.register(f"{TEAM}/oncall-history", OnCallHistoryViewSet, basename="team-oncall-history")

urlpatterns = [
    *router.urls,
    re_path(
        rf"^{TEAM}/oncall/$",
        TeamOnCallViewSet.as_view({"get": "retrieve"}),
        name="team-oncall",
    ),
    re_path(
        rf"^{TEAM}/rotation-config/$",
        RotationConfigViewSet.as_view({"get": "retrieve", "patch": "partial_update"}),
        name="team-rotation-config",
    ),
    re_path(
        rf"^{TEAM}/rotation/preview/$",
        RotationPlanViewSet.as_view({"post": "preview"}),
        name="team-rotation-preview",
    ),
    re_path(
        rf"^{TEAM}/rotation/generate/$",
        RotationPlanViewSet.as_view({"post": "generate"}),
        name="team-rotation-generate",
    ),
]

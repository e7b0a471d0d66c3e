from rest_framework.routers import SimpleRouter

from schedules.api.overrides import OverrideViewSet
from schedules.api.schedules import ScheduleViewSet
from teams.api_urls import TEAM

router = SimpleRouter()
router.register(f"{TEAM}/oncall-schedules", ScheduleViewSet, basename="team-schedule")
router.register(f"{TEAM}/oncall-overrides", OverrideViewSet, basename="team-override")

urlpatterns = router.urls

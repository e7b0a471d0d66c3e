from rest_framework.routers import SimpleRouter

from teams.api.members import MemberViewSet
from teams.api.teams import TeamViewSet

TEAM = r"teams/(?P<team>[^/.]+)"

router = SimpleRouter()
router.register("teams", TeamViewSet, basename="team")
router.register(f"{TEAM}/members", MemberViewSet, basename="team-member")

urlpatterns = router.urls

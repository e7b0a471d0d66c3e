from rest_framework.routers import SimpleRouter

from teams.api.members import MemberViewSet

TEAM = r"teams/(?P<team>[^/.]+)"

router = SimpleRouter()
router.register(f"{TEAM}/members", MemberViewSet, basename="team-member")

urlpatterns = router.urls

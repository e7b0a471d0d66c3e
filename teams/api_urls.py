from rest_framework.routers import SimpleRouter

from teams.api.members import MemberViewSet
from teams.api.people import PersonViewSet

TEAM = r"teams/(?P<team>[^/.]+)"

router = SimpleRouter()
router.register(f"{TEAM}/members", MemberViewSet, basename="team-member")
router.register("people", PersonViewSet, basename="person")

urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from services.api import ServiceViewSet

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")

urlpatterns = router.urls

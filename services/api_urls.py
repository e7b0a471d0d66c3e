from django.urls import path
from rest_framework.routers import SimpleRouter

from services.api.hot import LOOKUP, hot
from services.api.lookup import ServiceLookupViewSet
from services.api.services import ServiceViewSet

router = SimpleRouter()
router.register("services", ServiceViewSet, basename="service")

urlpatterns = [
    path(
        "services/lookup/",
        hot(ServiceLookupViewSet.as_view({"get": "retrieve"}), LOOKUP),
        name="service-lookup",
    ),
    *router.urls,
]

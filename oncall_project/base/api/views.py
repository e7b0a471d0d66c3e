"""The base of every API viewset: reads through get_queryset (selectors), each write parses its
body with an input serializer and calls one action."""

from typing import Any

from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from knox.auth import TokenAuthentication
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import api_view
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from oncall_project.base.actors import Actor
from oncall_project.base.errors import NotFound

# Objects are addressed by UUID, so a word such as /services/lookup/ never reads as an id.
UUID_PATH_REGEX = "[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}"


class ApiViewSet(viewsets.GenericViewSet):
    lookup_value_regex = UUID_PATH_REGEX

    def actor(self) -> Actor:
        # Token authentication sets request.auth to the token; a session leaves it None.
        machine = self.request.auth is not None
        return Actor.from_user(self.request.user, "api", machine=machine)

    def filter_queryset(self, queryset):
        """Query filters narrow lists; an object addressed by its id is found whatever they
        say (a soft-deleted one answers with is_active false)."""
        if self.detail:
            return queryset
        return super().filter_queryset(queryset)

    def parse(self, serializer_class: type[serializers.Serializer], **kwargs: Any) -> dict:
        """Validate the request body; never saves (the action does)."""
        serializer = serializer_class(
            data=self.request.data, context=self.get_serializer_context(), **kwargs
        )
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def respond(self, instance: Any, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(instance).data, status=status_code)

    def schema_only(self) -> bool:
        """drf-spectacular builds views without URL arguments to read their querysets."""
        return getattr(self, "swagger_fake_view", False)


class SchemaView(SpectacularAPIView):
    """The OpenAPI document, for signed-in users and token clients."""

    permission_classes = [IsAuthenticated]


class DocsView(SpectacularSwaggerView):
    """Swagger UI. GET only: its HTML renderer has no page to answer OPTIONS with."""

    permission_classes = [IsAuthenticated]
    http_method_names = ["get", "head"]


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
def api_not_found(request: Request, *args: Any, **kwargs: Any) -> Response:
    """Any other path under /api/: a 404 in the API's error shape, not an HTML page."""
    hint = "" if request.path.endswith("/") else f" Did you mean {request.path}/?"
    raise NotFound(f"No API endpoint at {request.path}.{hint}")


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    is_staff = serializers.BooleanField(help_text="Staff may make every team-scoped write.")
    authenticated_by = serializers.ChoiceField(choices=["token", "session"])


class MeView(viewsets.ViewSet):
    """Who the caller is: a client checks its token with it (one query, the token's)."""

    @extend_schema(responses=MeSerializer, summary="Who am I", tags=["auth"])
    def retrieve(self, request: Request) -> Response:
        by_token = isinstance(request.successful_authenticator, TokenAuthentication)
        body = {
            "username": request.user.get_username(),
            "is_staff": request.user.is_staff,
            "authenticated_by": "token" if by_token else "session",
        }
        return Response(MeSerializer(body).data)

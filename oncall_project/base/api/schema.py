"""OpenAPI: every operation documents the error responses it can give, in the one error shape."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse

from oncall_project.base.api.errors import ErrorSerializer

ERROR_DESCRIPTIONS = {
    "400": "Bad input: field messages under `errors`.",
    "401": "Not authenticated: send `Authorization: Token <token>` or a session cookie.",
    "403": "Authenticated but not allowed (team-scoped writes need staff or a lead of the team).",
    "404": "No such object (or page).",
    "409": "Refused: a state transition that is not allowed, or an overlap with another row.",
    "429": "Too many requests from this token; retry after `Retry-After` seconds.",
}

# The team the examples of the bot's answers show.
EXAMPLE_TEAM = {
    "id": "6f1c2a52-57f4-4f3e-9d55-7d0c1b2f0e11",
    "name": "Payments",
    "slug": "payments",
}

TEAM_PATH_PARAMETER = OpenApiParameter(
    "team",
    str,
    OpenApiParameter.PATH,
    description="The team's id (UUID) or slug.",
)


def error_response(code: int | str) -> OpenApiResponse:
    return OpenApiResponse(ErrorSerializer, description=ERROR_DESCRIPTIONS[str(code)])


class AutoSchema(SpectacularAutoSchema):
    """Adds the error responses an operation can give unless the view declared them itself."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                responses[code] = self._get_response_for_code(
                    error_response(code), code, direction=direction
                )
        return responses

    def _error_codes(self) -> list[str]:
        codes = ["401", "403", "429"]
        if self.method in {"POST", "PUT", "PATCH"}:
            codes += ["400", "409"]
        elif self.method == "DELETE":
            codes.append("409")
        elif self._is_list_view() or self._has_query_parameters():
            codes.append("400")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        return sorted(codes)

    def _has_query_parameters(self) -> bool:
        return any(
            isinstance(p, OpenApiParameter) and p.location == OpenApiParameter.QUERY
            for p in self.get_override_parameters()
        )


class ApiTokenScheme(KnoxTokenScheme):
    """Our knox subclass documents itself as knox's own token scheme."""

    target_class = "oncall_project.base.api.auth.ApiTokenAuthentication"

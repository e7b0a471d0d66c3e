"""Machine clients authenticate with knox tokens (stored as hashes); people with their session.
Only token clients are throttled."""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Per token, at REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] (env API_TOKEN_RATE)."""

    scope = "token"

    def get_rate(self) -> str | None:
        # Read at each request, not at import, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.digest}


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, without its sweep of the user's other tokens on every request: our
    tokens never expire (TOKEN_TTL None), so that sweep is a query that can find nothing. A
    token that does carry an expiry is still refused once past it."""

    def _cleanup_token(self, auth_token) -> bool:
        if knox_settings.TOKEN_TTL is not None:
            return super()._cleanup_token(auth_token)
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

"""Machine clients authenticate with knox tokens (stored as hashes); people with their session.
Only token clients are throttled."""

from knox.auth import TokenAuthentication
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

"""Machine clients authenticate with knox tokens (stored as hashes); people with their session.
Only token clients are throttled."""

from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.settings import knox_settings
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    """Per token, at REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["token"] (env API_TOKEN_RATE).

    A sliding window from two counters (this window's and the last one's, weighted by how much
    of it still overlaps), not DRF's list of every request's time: each request costs the same
    few cache operations whatever the rate, where the list grows with it (60,000 entries read
    and written back per request at 1,000 requests a second)."""

    scope = "token"

    def get_rate(self) -> str | None:
        # Read at each request, not at import, so a changed setting takes effect.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view) -> str | None:
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return None
        return self.cache_format % {"scope": self.scope, "ident": request.auth.digest}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        key = self.get_cache_key(request, view)
        if key is None:
            return True
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        counts = self.cache.get_many([current, previous])
        overlap = 1 - into / self.duration
        if counts.get(previous, 0) * overlap + counts.get(current, 0) >= self.num_requests:
            self.retry_after = self.duration - into
            return False
        self.cache.add(current, 0, self.duration * 2)
        try:
            self.cache.incr(current)
        except ValueError:  # expired between add and incr
            self.cache.add(current, 1, self.duration * 2)
        return True

    def wait(self) -> float:
        return getattr(self, "retry_after", self.duration)


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, without its sweep of the user's other tokens on every request: our
    tokens never expire (TOKEN_TTL None), so that sweep is a query that can find nothing. A
    token that does carry an expiry is still refused once past it."""

    def _cleanup_token(self, auth_token) -> bool:
        if knox_settings.TOKEN_TTL is not None:
            return super()._cleanup_token(auth_token)
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

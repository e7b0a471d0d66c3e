"""Machine clients authenticate with knox tokens (stored as hashes); people with their session.
Only token clients are throttled."""

from django.core.cache import caches
from django.utils import timezone
from knox.auth import TokenAuthentication
from knox.crypto import hash_token
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from oncall_project.base.api import verified_tokens
from oncall_project.base.cache import RedisCache

# The sliding window below in one round trip and atomically: read both counts, refuse, or
# count this request (the counter expiring after two windows, as the cache's add gives it).
COUNT_IN_WINDOW = """
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local previous = tonumber(redis.call('GET', KEYS[2]) or '0')
if previous * tonumber(ARGV[1]) + current >= tonumber(ARGV[2]) then
  return 0
end
if redis.call('INCR', KEYS[1]) == 1 then
  redis.call('EXPIRE', KEYS[1], ARGV[3])
end
return 1
"""
_scripts: dict[int, object] = {}


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

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        if not isinstance(request.successful_authenticator, TokenAuthentication):
            return True
        return self.allow_token(request.auth.digest)

    def allow_token(self, digest: str) -> bool:
        """Count a request of the token whose digest is `digest`, unless over the rate."""
        if self.rate is None:
            return True
        key = self.cache_format % {"scope": self.scope, "ident": digest}
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        overlap = 1 - into / self.duration
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            allowed = self._count_in_redis(backend, current, previous, overlap)
        else:
            allowed = self._count_in_cache(current, previous, overlap)
        if not allowed:
            self.retry_after = self.duration - into
        return allowed

    def _count_in_redis(
        self, backend: RedisCache, current: str, previous: str, overlap: float
    ) -> bool:
        client = backend.redis(write=True)
        script = _scripts.get(id(client))
        if script is None:
            script = _scripts[id(client)] = client.register_script(COUNT_IN_WINDOW)
        keys = [backend.make_and_validate_key(k) for k in (current, previous)]
        return bool(script(keys=keys, args=[repr(overlap), self.num_requests, self.duration * 2]))

    def _count_in_cache(self, current: str, previous: str, overlap: float) -> bool:
        counts = self.cache.get_many([current, previous])
        if counts.get(previous, 0) * overlap + counts.get(current, 0) >= self.num_requests:
            return False
        self.cache.add(current, 0, self.duration * 2)
        try:
            self.cache.incr(current)
        except ValueError:  # expired between add and incr
            self.cache.add(current, 1, self.duration * 2)
        return True

    def wait(self) -> float:
        return getattr(self, "retry_after", self.duration)


INVALID_TOKEN = "Invalid token."  # knox's words for a token it does not know


class ApiTokenAuthentication(TokenAuthentication):
    """knox's token check, without its sweep of the user's other tokens on every request: our
    tokens never expire (TOKEN_TTL None), so that sweep is a query that can find nothing. A
    token that does carry an expiry is still refused once past it. With API_TOKEN_CACHE, a token
    this process verified under the current generation is not looked up again
    (`verified_tokens`)."""

    def authenticate_credentials(self, token: bytes) -> tuple:
        try:
            text = token.decode()
        except UnicodeDecodeError as exc:  # knox would decode it again, and answer 500
            raise AuthenticationFailed(INVALID_TOKEN) from exc
        if not verified_tokens.enabled():
            return super().authenticate_credentials(token)
        digest = hash_token(text)
        generation = verified_tokens.generation()
        found = verified_tokens.recall(digest, generation)
        if found is not None:
            return found
        user, auth_token = super().authenticate_credentials(token)
        verified_tokens.remember(digest, generation, user, auth_token)
        return user, auth_token

    def _cleanup_token(self, auth_token) -> bool:
        if knox_settings.TOKEN_TTL is not None:
            return super()._cleanup_token(auth_token)
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

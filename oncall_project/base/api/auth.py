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
from oncall_project.base.api.verified_tokens import GENERATION_KEY
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
# The same, for a token this process verified: first the token generation read in the same
# round trip (`verified_tokens`), and nothing counted (-1) unless it is still the one verified
# under, so a revoked token is never counted, and the token check costs no round trip of its own.
COUNT_IF_VERIFIED = (
    """
if redis.call('GET', KEYS[3]) ~= ARGV[4] then
  return -1
end
"""
    + COUNT_IN_WINDOW
)
_scripts: dict[tuple, object] = {}
# The environ key under which the bot's hot path marks the token whose request it counted, so
# that the API view answering the request instead does not count it again (no HTTP header can
# set it: those arrive as HTTP_…).
COUNTED_TOKEN = "oncall.counted_token"


class TokenOverRate(Exception):
    """The token is over its rate; nothing was counted (the API's throttle answers it)."""


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
        if request._request.META.get(COUNTED_TOKEN) == request.auth.digest:
            return True  # counted already, by the bot's hot path (services.api.hot)
        return self.allow_token(request.auth.digest)

    def allow_token(self, digest: str) -> bool:
        """Count a request of the token whose digest is `digest`, unless over the rate."""
        if self.rate is None:
            return True
        current, previous, overlap, into = self._window(digest)
        backend = caches["default"]
        if isinstance(backend, RedisCache):
            allowed = bool(self._count_in_redis(backend, current, previous, overlap))
        else:
            allowed = self._count_in_cache(current, previous, overlap)
        if not allowed:
            self.retry_after = self.duration - into
        return allowed

    def allow_verified(self, digest: str, generation: str) -> bool | None:
        """`allow_token` for a token verified under `generation`, in the same round trip as
        reading the current generation: None, with nothing counted, where it is no longer the
        current one (or the rate is off, or the cache is not Redis): check the token afresh."""
        backend = caches["default"]
        if self.rate is None or not isinstance(backend, RedisCache):
            return None
        current, previous, overlap, _ = self._window(digest)
        found = self._count_in_redis(
            backend, current, previous, overlap, (GENERATION_KEY, backend.stored(generation))
        )
        # Refused: the API view answers the 429, its Retry-After worked out by its own check
        return None if found < 0 else bool(found)

    def _window(self, digest: str) -> tuple[str, str, float, float]:
        """This window's counter key and the last one's, how much of the last one still
        overlaps the sliding window, and how far into this one we are."""
        key = self.cache_format % {"scope": self.scope, "ident": digest}
        window, into = divmod(self.timer(), self.duration)
        current, previous = f"{key}:{int(window)}", f"{key}:{int(window) - 1}"
        return current, previous, 1 - into / self.duration, into

    def _count_in_redis(
        self,
        backend: RedisCache,
        current: str,
        previous: str,
        overlap: float,
        verified: tuple[str, bytes] | None = None,
    ) -> int:
        """1 counted, 0 refused; with `verified` (the generation's key and stored value), -1
        where the generation is another."""
        client = backend.redis(write=True)
        text = COUNT_IN_WINDOW if verified is None else COUNT_IF_VERIFIED
        script = _scripts.get((id(client), text))
        if script is None:
            script = _scripts[(id(client), text)] = client.register_script(text)
        keys = [backend.make_and_validate_key(k) for k in (current, previous)]
        args = [repr(overlap), self.num_requests, self.duration * 2]
        if verified is not None:
            keys.append(backend.make_and_validate_key(verified[0]))
            args.append(verified[1])
        return int(script(keys=keys, args=args))

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
    (`verified_tokens`).

    Made with a `throttle` (the bot's hot path), it counts the token's request too, refusing
    one over the rate (`TokenOverRate`) before anything else is done for it; for a token kept
    under the current generation both take one cache round trip. `counted` then says so."""

    def __init__(self, throttle: TokenRateThrottle | None = None) -> None:
        super().__init__()
        self.throttle = throttle
        self.counted = False

    def authenticate_credentials(self, token: bytes) -> tuple:
        try:
            text = token.decode()
        except UnicodeDecodeError as exc:  # knox would decode it again, and answer 500
            raise AuthenticationFailed(INVALID_TOKEN) from exc
        if not verified_tokens.enabled():
            return self._counted(super().authenticate_credentials(token))
        digest = hash_token(text)
        if self.throttle is not None and (found := self._recalled_and_counted(digest)):
            return found
        generation = verified_tokens.generation()
        found = verified_tokens.recall(digest, generation)
        if found is None:
            found = super().authenticate_credentials(token)
            verified_tokens.remember(digest, generation, *found)
        return self._counted(found)

    def _recalled_and_counted(self, digest: str) -> tuple | None:
        """The kept token, its request counted, when it was verified under the current
        generation (read in the same round trip as the count); else None."""
        kept = verified_tokens.kept_generation(digest)
        if kept is None:
            return None
        allowed = self.throttle.allow_verified(digest, kept)
        if allowed is None:
            return None
        if not allowed:
            raise TokenOverRate
        self.counted = True
        # None past its expiry: checked afresh, and refused there
        return verified_tokens.recall(digest, kept)

    def _counted(self, found: tuple) -> tuple:
        if self.throttle is not None and not self.counted:
            if not self.throttle.allow_token(found[1].digest):
                raise TokenOverRate
            self.counted = True
        return found

    def _cleanup_token(self, auth_token) -> bool:
        if knox_settings.TOKEN_TTL is not None:
            return super()._cleanup_token(auth_token)
        return auth_token.expiry is not None and auth_token.expiry < timezone.now()

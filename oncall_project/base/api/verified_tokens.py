"""API tokens each process has verified, so that a bot's request needs no database round trip
to check its token (API_TOKEN_CACHE, on when CACHE_URL names a cache every process shares).

A verified token is kept with the generation it was verified under: a value in the shared
cache that every revocation, every token deleted and every change to a user replaces. Each
request reads the generation (one cache round trip, where the check was a query) and trusts a
kept token only under the same one; so a token revoked in any process is refused by every
process at its very next request. A kept token past its expiry is checked afresh (and refused
there, as without the cache)."""

import copy
import threading
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

GENERATION_KEY = "api-tokens:generation"
MAX_TOKENS = 1024


@dataclass(frozen=True)
class _Verified:
    generation: str
    user: object
    auth_token: object


_verified: dict[str, _Verified] = {}
_lock = threading.Lock()


def enabled() -> bool:
    return settings.API_TOKEN_CACHE


def generation() -> str:
    """The current generation; a new one if the cache lost it (nothing kept is trusted)."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        value = cache.get(GENERATION_KEY)
    return value


def kept_generation(digest: str) -> str | None:
    """The generation the token whose digest is `digest` was verified under, if it is kept."""
    entry = _verified.get(digest)
    return None if entry is None else entry.generation


def recall(digest: str, current: str) -> tuple | None:
    """(user, token) verified under the `current` generation and not expired since, else
    None. The user is a copy: a request may set attributes on its own."""
    entry = _verified.get(digest)
    if entry is None or entry.generation != current:
        return None
    expiry = entry.auth_token.expiry
    if expiry is not None and expiry < timezone.now():
        return None
    return copy.copy(entry.user), entry.auth_token


def remember(digest: str, verified_under: str, user: object, auth_token: object) -> None:
    """Keep a token checked against the database after `verified_under` was read."""
    with _lock:
        if len(_verified) >= MAX_TOKENS:
            _verified.clear()
        # A copy, taken before the request that verified it loads anything onto the user (their
        # person, which says what they may do, is read afresh by every request).
        _verified[digest] = _Verified(verified_under, copy.copy(user), auth_token)


def forget_all() -> None:
    """Make every process check every token afresh: now, and again when the transaction that
    revokes commits (a process that checked in between still read the row before the commit).
    Called by the token actions and on every change to users and tokens."""
    if enabled():
        _new_generation()
        transaction.on_commit(_new_generation)


def _new_generation() -> None:
    cache.set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)


def clear() -> None:
    """Forget this process's verified tokens (tests)."""
    with _lock:
        _verified.clear()

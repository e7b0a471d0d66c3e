"""Each team's answer for its on-call day, shared by every process through the shared cache
(CACHE_URL), so that a process meeting a team for the first time that day reads the answer
instead of loading the team's state and working it out (`schedules.oncall_now`).

Keyed as the per-process entries are, by (team, on-call version, on-call date of the line,
line): every write that can change who is on call bumps the version in its own transaction,
and the key is made from the version read with the team row, so a change or a new day is a
miss, never a stale answer. The handoff, which bumps every team's version once a day, works
the new day's answers out once its transaction commits (`share_today`); any process that works
one out (after a change, say) shares it too. With no shared cache (the embedded default's is
each process's own) or ONCALL_SHARED_ANSWERS off, nothing is shared and every process works
its answers out, as before."""

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

from oncall_project.base.cache import RedisCache
from schedules import domain

ROOT = Path(__file__).resolve().parent.parent
# The code that works an answer out: the engine, what loads its state (checkpoints and the
# people's names among it), the apps it reads. Its fingerprint is in every key, so a deploy that
# changes any of it never reads what the code before it shared.
ANSWERING_CODE = tuple(sorted((*ROOT.glob("schedules/**/*.py"), *ROOT.glob("teams/**/*.py"))))


def _fingerprint(paths) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


PREFIX = f"oncall-day:{_fingerprint(ANSWERING_CODE)}"
# A day's answer is read during that day only; two days outlast any handoff time in any zone.
TIMEOUT_SECONDS = 2 * 24 * 3600

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayAnswer:
    """A line's answer for its on-call day, and the names of the people its team's state
    names (its members', as the state gives them)."""

    answer: domain.OnCallAnswer
    names: dict[str, str | None]


def _cache() -> RedisCache | None:
    backend = caches["default"]
    if not settings.ONCALL_SHARED_ANSWERS or not isinstance(backend, RedisCache):
        return None
    return backend


def enabled() -> bool:
    return _cache() is not None


def _cache_key(key: tuple) -> str:
    team_id, version, day, role = key
    return f"{PREFIX}:{team_id}:{version}:{day.isoformat()}:{role}"


def recall(keys: Iterable[tuple]) -> dict[tuple, DayAnswer]:
    """The shared answers under `keys` ((team id, version, on-call date, role)): one round
    trip for all of them; none without a shared cache."""
    backend = _cache()
    keys = list(keys)
    if backend is None or not keys:
        return {}
    by_name = {_cache_key(key): key for key in keys}
    try:
        found = backend.get_many(list(by_name))
    except Exception:  # the cache down, or a value it cannot read: worked out here instead
        logger.warning("Shared day answers could not be read.", exc_info=True)
        return {}
    return {by_name[name]: value for name, value in found.items() if isinstance(value, DayAnswer)}


def share(answers: dict[tuple, DayAnswer]) -> None:
    """Share `answers` (one round trip). Only answers worked out from committed data may be
    shared (`oncall_now.may_keep`)."""
    backend = _cache()
    if backend is not None and answers:
        values = {_cache_key(key): value for key, value in answers.items()}
        try:
            backend.set_many(values, timeout=TIMEOUT_SECONDS)
        except Exception:  # the cache down: each process works its answers out meanwhile
            logger.warning("Shared day answers could not be written.", exc_info=True)


def forget_all() -> None:
    """Drop every shared answer (tests that write around the actions, as `oncall_now.clear`)."""
    backend = _cache()
    if backend is None:
        return
    pattern = backend.make_and_validate_key("oncall-day:*")  # this code's and any other's
    try:
        client = backend.redis(write=True)
        names = list(client.scan_iter(match=pattern, count=1000))
        if names:
            client.delete(*names)
    except Exception:  # the cache down: nothing can be read from it either
        logger.warning("Shared day answers could not be forgotten.", exc_info=True)

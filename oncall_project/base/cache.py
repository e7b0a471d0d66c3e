"""The Redis cache backend (CACHE_URL=redis://…) without a new client object per operation.

Django's backend builds a `redis.Redis` for every get, add or incr: with redis-py 8 that is a
table of some 170 response callbacks filled each time, about a fifth of a millisecond that the
API paid several times per request (the throttle's counters, the verified-token check). Here
one client per connection pool is made once and reused; redis-py clients are safe to share
between threads (each command takes a connection from the pool)."""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = RedisCacheClient

    def stored(self, value) -> bytes | int:
        """`value` as the cache stores it (what a Lua script reads back from Redis)."""
        return self._cache._serializer.dumps(value)

    def redis(self, *, write: bool = False):
        """The redis-py client behind the cache, for what its API cannot say in one round
        trip (a Lua script); keys made with `make_and_validate_key` as the cache's own are."""
        return self._cache.get_client(write=write)

"""The throw-away database a benchmark builds its data in: on PostgreSQL named after the
benchmark (`<DATABASE_URL's name>_bench_<what>`), never `test_<name>`, the test suite's own, so a
benchmark and `make test` on the same server never drop each other's database. (On SQLite
settings already give each process a file of its own.)"""

from contextlib import contextmanager

from django.db import connection


@contextmanager
def throwaway_database(what: str):
    if connection.vendor == "postgresql":
        named = connection.settings_dict["NAME"]
        connection.settings_dict.setdefault("TEST", {})["NAME"] = f"{named}_bench_{what}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        yield
    finally:
        connection.close()
        connection.creation.destroy_test_db(old_name, verbosity=0)

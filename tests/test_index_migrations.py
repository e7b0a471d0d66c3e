"""The indexes added to the tables written all the time (the audit log, the on-call ledger)
build without holding their writes on PostgreSQL (CREATE INDEX CONCURRENTLY), and as plain
indexes on the embedded SQLite; either way they migrate forward and back."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection

from tests.migration_support import migrate

# (app, migration): the index migrations of the tables that grow forever
INDEX_MIGRATIONS = [
    ("audit", "0004_keyset_indexes"),
    ("schedules", "0004_oncall_record_date_index"),
]


def sql_of(app: str, migration: str) -> list[str]:
    """The CREATE INDEX statements `migration` runs on this database."""
    out = io.StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    return re.findall(r"^CREATE INDEX.*$", out.getvalue(), flags=re.MULTILINE)


@pytest.mark.django_db(transaction=True)  # a concurrent build runs outside any transaction
@pytest.mark.parametrize(("app", "migration"), INDEX_MIGRATIONS)
def test_indexes_build_without_holding_the_tables_writes(app, migration):
    created = sql_of(app, migration)

    assert created
    concurrently = connection.vendor == "postgresql"
    assert all(("CONCURRENTLY" in line) == concurrently for line in created), created


@pytest.mark.django_db(transaction=True)
def test_the_ledger_index_migrates_back_and_forward():
    def indexes() -> set[str]:
        with connection.cursor() as cursor:
            found = connection.introspection.get_constraints(cursor, "schedules_oncallrecord")
        return {name for name, facts in found.items() if facts["index"]}

    migrate([("schedules", "0003_role")])
    before = indexes()
    migrate()

    assert "oncall_record_date_id" not in before
    assert "oncall_record_date_id" in indexes()

"""Migration operations for tables that grow forever and are written all the time (the audit
log: a row per action; the on-call ledger: a row per team per handoff).

A plain CREATE INDEX holds every write to its table until the index is built — minutes on
10 M audit rows, during which every action (each writes the audit log) waits. On PostgreSQL
these build CONCURRENTLY instead, writes going on meanwhile (the migration sets
`atomic = False`: PostgreSQL builds such an index outside a transaction); elsewhere (the
embedded SQLite) as a plain AddIndex. A concurrent build that fails leaves an INVALID index:
DROP INDEX it and migrate again."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations


class AddIndexWithoutLocking(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        steps = _steps(schema_editor)
        steps.database_forwards(self, app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        steps = _steps(schema_editor)
        steps.database_backwards(self, app_label, schema_editor, from_state, to_state)


def _steps(schema_editor) -> type:
    """Whose steps build and drop the index: the concurrent ones on PostgreSQL, AddIndex's
    elsewhere."""
    if schema_editor.connection.vendor == "postgresql":
        return AddIndexConcurrently
    return migrations.AddIndex

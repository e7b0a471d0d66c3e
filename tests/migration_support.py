"""Migrating the test database back and forth, for tests of data migrations."""

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migrate(targets=None):
    """Migrate to `targets` (default: the latest of every app); the apps as they were there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state(targets).apps


def unapply(app_label: str, migration: str):
    """Migrate back to just before `migration` (its app's first): the apps as they were."""
    executor = MigrationExecutor(connection)
    executor.migrate([(app_label, None)])
    executor.loader.build_graph()
    return executor.loader.project_state((app_label, migration), at_end=False).apps

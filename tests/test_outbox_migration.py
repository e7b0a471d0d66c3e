"""The Notification model moved from the escalation app to the outbox app: a database migrated
from before the move keeps its rows, and permissions granted on notifications stay granted."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from oncall_project.base.outbox.models import Notification

BEFORE = [("escalation", "0002_slack_signature_and_update_of"), ("outbox", None)]
AFTER = [("escalation", "0003_notification_moves_to_outbox"), ("outbox", "0001_initial")]


# What the test itself reads and writes besides the notifications, at its latest.
FRAMEWORK = [
    ("contenttypes", "0002_remove_content_type_name"),
    ("auth", "0012_alter_user_first_name_max_length"),
]


def migrate(targets):
    """Migrate to `targets`; the apps as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    executor.loader.build_graph()
    nodes = [target for target in targets if target[1] is not None] + FRAMEWORK
    return executor.loader.project_state(nodes).apps


@pytest.mark.django_db(transaction=True)
def test_a_database_from_before_the_move_keeps_its_notifications_and_their_permissions():
    old = migrate(BEFORE)
    content_types = old.get_model("contenttypes", "ContentType")
    content_types.objects.filter(model="notification").delete()
    old_type = content_types.objects.create(app_label="escalation", model="notification")
    permission = old.get_model("auth", "Permission").objects.create(
        content_type=old_type, codename="view_notification", name="Can view notification"
    )
    old.get_model("escalation", "Notification").objects.create(
        kind="handoff", channel="C_PAY", text="hello", idempotency_key="moved:1"
    )

    migrate(AFTER)

    ContentType.objects.clear_cache()
    note = Notification.objects.get(idempotency_key="moved:1")
    assert (note.kind, note.channel, note.text, note.status) == (
        "handoff",
        "C_PAY",
        "hello",
        "pending",
    )
    moved = ContentType.objects.get_for_model(Notification)
    assert moved.pk == old_type.pk
    assert moved.permission_set.filter(pk=permission.pk, codename="view_notification").exists()
    assert not ContentType.objects.filter(app_label="escalation", model="notification").exists()

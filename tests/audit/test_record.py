import pytest
from django.db import transaction

from audit import record
from audit.models import AuditLog
from oncall_project.base.actors import Actor
from oncall_project.base.writes import diff


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        record(entity_type="team", entity_id="x", action="created", actor=None)
    assert AuditLog.objects.count() == 0


def test_record_writes_actor_source_and_changes(db):
    actor = Actor(id="U_ALICE", source="api", slack_user_id="U_ALICE")
    with transaction.atomic():
        entry = record(
            entity_type="team",
            entity_id="t1",
            action="updated",
            actor=actor,
            changes={"name": {"old": "A", "new": "B"}},
        )
    entry.refresh_from_db()
    assert (entry.actor_type, entry.actor_id, entry.metadata["source"]) == (
        "user",
        "U_ALICE",
        "api",
    )
    assert entry.changes == {"name": {"old": "A", "new": "B"}}


def test_system_actor_is_recorded_as_system(db):
    with transaction.atomic():
        entry = record(entity_type="team", entity_id="t1", action="created", actor=None)
    assert (entry.actor_type, entry.actor_id) == ("system", "system")


def test_diff_keeps_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": {"old": 2, "new": 3}}

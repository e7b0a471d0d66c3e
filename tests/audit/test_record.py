import datetime

import pytest
from django.db import transaction
from django.utils import timezone

from audit.log import AuditEvent, LegacyEvent, invalid_fields, record
from audit.models import AuditAction, AuditLog, EntityType
from oncall_project.base.actors import Actor
from oncall_project.base.writes import diff


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="transaction"):
        record(
            AuditEvent(
                entity_type=EntityType.TEAM, entity_id="x", action=AuditAction.CREATED, actor=None
            )
        )
    assert AuditLog.objects.count() == 0


def test_record_writes_actor_source_and_changes(db):
    actor = Actor(id="U_ALICE", source="api", slack_user_id="U_ALICE")
    with transaction.atomic():
        [entry] = record(
            AuditEvent(
                entity_type=EntityType.TEAM,
                entity_id="t1",
                action=AuditAction.UPDATED,
                actor=actor,
                changes={"name": {"old": "A", "new": "B"}},
            )
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
        [entry] = record(
            AuditEvent(
                entity_type=EntityType.TEAM, entity_id="t1", action=AuditAction.CREATED, actor=None
            )
        )
    assert (entry.actor_type, entry.actor_id) == ("system", "system")


def test_diff_keeps_only_changed_fields():
    assert diff({"a": 1, "b": 2}, {"a": 1, "b": 3}) == {"b": {"old": 2, "new": 3}}


def test_record_writes_many_entries_in_one_insert(db, django_assert_num_queries):
    events = [
        AuditEvent(
            entity_type=EntityType.TEAM, entity_id=f"t{n}", action=AuditAction.UPDATED, actor=None
        )
        for n in range(3)
    ]
    with transaction.atomic(), django_assert_num_queries(1):
        rows = record(*events)
    assert [row.pk for row in rows] == [event.id for event in events]
    assert AuditLog.objects.filter(pk__in=[e.id for e in events]).count() == 3


def test_a_legacy_entry_keeps_its_codes_actor_time_and_metadata(db):
    at = datetime.datetime(2025, 9, 9, 12, 0, tzinfo=datetime.UTC)
    legacy = LegacyEvent(
        entity_type="service",
        entity_id="old-1",
        action="archived",
        actor_type="system",
        actor_id="cron",
        metadata={"note": "kept"},
        legacy_id="oncall_audit_logs:1",
        recorded_at=at,
    )
    with transaction.atomic():
        record(legacy)
    entry = AuditLog.objects.get(legacy_id="oncall_audit_logs:1")
    assert (entry.action, entry.actor_type, entry.actor_id) == ("archived", "system", "cron")
    assert (entry.created_at, entry.updated_at, entry.metadata) == (at, at, {"note": "kept"})


def test_invalid_fields_names_what_the_log_would_refuse():
    odd = LegacyEvent(
        entity_type="bug",
        entity_id="x",
        action="a" * 41,
        actor_type="user",
        actor_id="U_ALICE",
        legacy_id="oncall_audit_logs:2",
    )
    assert set(invalid_fields(odd)) == {"entity_type", "action"}


def test_a_legacy_entry_without_its_time_is_dated_when_written(db):
    legacy = LegacyEvent(
        entity_type="team",
        entity_id="old-2",
        action="updated",
        actor_type="system",
        actor_id="cron",
        legacy_id="oncall_audit_logs:3",
    )
    before = timezone.now()
    with transaction.atomic():
        [row] = record(legacy)
    entry = AuditLog.objects.get(pk=row.pk)
    assert before <= entry.created_at <= timezone.now()


def test_an_entry_naming_nobody_holds_empty_ids(db):
    """An old value that was no one (None) is written as the empty id the columns hold."""
    with transaction.atomic():
        [row] = record(
            AuditEvent(
                entity_type=EntityType.SCHEDULE,
                entity_id="s1",
                action=AuditAction.DELETED,
                actor=None,
                engineer_slack_id=None,
                previous_engineer_slack_id=None,
            )
        )
    entry = AuditLog.objects.get(pk=row.pk)
    assert (entry.engineer_slack_id, entry.previous_engineer_slack_id) == ("", "")

"""The audit viewer's names of what entries changed, from the entry itself: table-driven, no
database (ids that are not UUIDs are never looked up)."""

import pytest

from audit.models import AuditLog
from oncall_project.audit_viewer.labels import EntryLabel, entry_labels, people_in_changes


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        # The new value, else the old: an emptied or odd new value is passed over.
        ({"entity_type": "service", "changes": {"name": {"old": "Ledger", "new": ""}}}, "Ledger"),
        ({"entity_type": "service", "changes": {"name": {"old": "Ledger", "new": True}}}, "Ledger"),
        # A bug id is text: anything else the metadata holds is no label.
        ({"entity_type": "escalation", "metadata": {"bug_id": 42}}, ""),
        ({"entity_type": "escalation", "metadata": {"bug_id": "BUG-9"}}, "BUG-9"),
    ],
)
def test_an_entry_is_named_by_the_values_it_holds(fields, expected):
    [label] = entry_labels([AuditLog(entity_id="legacy-1", **fields)])
    assert label == EntryLabel(name=expected)


def test_a_schedule_entry_names_the_engineer_its_changes_hold():
    """Imported entries may name the engineer only in their old and new values."""
    entry = AuditLog(
        entity_type="schedule",
        entity_id="legacy-2",
        changes={"engineer_slack_id": {"old": "U_BOB", "new": None}},
    )
    assert entry_labels([entry]) == [EntryLabel(engineer="U_BOB")]


def test_the_people_in_changes_are_the_slack_ids_of_values_and_lists():
    changes = {
        "oncall_engineer": "U_BOB",  # a value as it was, not an old → new pair
        "rotation_order": {"old": ["U_CAROL", "ops-admin"], "new": ["U_DAVE"]},
        "name": {"old": "Payments", "new": "Pay"},
    }
    assert people_in_changes(changes) == {"U_BOB", "U_CAROL", "U_DAVE"}

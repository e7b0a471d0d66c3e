# The people directory (teams.Person) begins with everyone the data already names, so rows
# written before it stay valid: members with the name their membership holds (confirmed — an
# operator or a Slack sync put them there), people linked to a user (confirmed), and every other
# Slack user id seen in teams, time away, schedules, overrides, the ledger and services as an
# inactive, "unconfirmed" entry that pages flag and a later write confirms through Slack.

import re

from django.db import migrations

# The Slack user id format of oncall_project.base.slack_ids, frozen here as this migration saw it.
USER_ID = re.compile(r"^[UW][A-Z0-9_]{1,31}$")

# (app, model, fields holding one id); requested_by/approved_by hold a username when no Slack id.
ID_FIELDS = [
    ("teams", "Team", ["oncall_engineer", "current_engineer"]),
    ("teams", "Unavailability", ["slack_user_id"]),
    ("schedules", "Schedule", ["engineer_slack_id", "created_by"]),
    (
        "schedules",
        "Override",
        ["engineer_slack_id", "replaces_slack_id", "requested_by", "approved_by"],
    ),
    ("schedules", "OnCallRecord", ["engineer_slack_id"]),
    ("services", "Service", ["service_owner", "primary_oncall"]),
    ("escalation", "Escalation", ["acknowledged_by"]),
]


def _ids_in_data(apps) -> set[str]:
    seen: set[str] = set()
    for app, model_name, fields in ID_FIELDS:
        model = apps.get_model(app, model_name)
        for field in fields:
            seen.update(model.objects.values_list(field, flat=True).distinct())
    for order in apps.get_model("teams", "Team").objects.values_list("rotation_order", flat=True):
        if isinstance(order, list):
            seen.update(x for x in order if isinstance(x, str))
    return {x for x in seen if x and USER_ID.match(x)}


def _member_names(apps) -> dict[str, str]:
    """Each member's name: the first non-empty display name among their memberships."""
    names: dict[str, str] = {}
    memberships = apps.get_model("teams", "TeamMembership").objects.order_by("joined_at", "pk")
    for slack_id, name in memberships.values_list("slack_user_id", "display_name"):
        if USER_ID.match(slack_id) and not names.get(slack_id):
            names[slack_id] = name or ""
    return names


def fill(apps, schema_editor):
    person_model = apps.get_model("teams", "Person")
    for person in person_model.objects.select_related("user").filter(display_name=""):
        user = person.user
        full = f"{user.first_name} {user.last_name}".strip() if user else ""
        person.display_name = full or (user.username if user else "")
        person.email = person.email or (user.email if user else "")
        person.save(update_fields=["display_name", "email"])
    known = set(
        person_model.objects.exclude(slack_user_id=None).values_list("slack_user_id", flat=True)
    )
    members = _member_names(apps)
    for slack_id, name in members.items():
        if slack_id in known:
            person_model.objects.filter(slack_user_id=slack_id, display_name="").update(
                display_name=name
            )
    new = [
        person_model(slack_user_id=slack_id, display_name=name, status="confirmed")
        for slack_id, name in sorted(members.items())
        if slack_id not in known
    ]
    new += [
        person_model(slack_user_id=slack_id, is_active=False, status="unconfirmed")
        for slack_id in sorted(_ids_in_data(apps) - known - set(members))
    ]
    person_model.objects.bulk_create(new)


def forget(apps, schema_editor):
    """Back to people as users' Slack identities: entries without a user go."""
    apps.get_model("teams", "Person").objects.filter(user=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("oncall_project", "0001_repair_invalid_text"),
        ("teams", "0005_people_directory"),
        ("schedules", "0002_bounds"),
        ("services", "0002_bounds"),
        ("escalation", "0003_notification_moves_to_outbox"),
    ]

    operations = [migrations.RunPython(fill, forget)]

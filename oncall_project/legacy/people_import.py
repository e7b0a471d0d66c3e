"""The people an import brings over join the people directory: every Slack user id its teams,
members, services, schedules and overrides name, with the name a membership gives them. The
old system paged these people, so they come in active and confirmed (as an operator adding them
would); the directory entries already there are left as they are."""

from oncall_project.base import slack_ids
from oncall_project.legacy.state import ImportRun
from oncall_project.legacy.writer import insert
from schedules.models import Override, Schedule
from services.models import Service
from teams.models import Person, PersonStatus, Team, TeamMembership


def _ids_named(run: ImportRun) -> set[str]:
    teams = Team.objects.filter(pk__in=set(run.teams.values()))
    seen = set(teams.values_list("oncall_engineer", flat=True))
    for order in teams.values_list("rotation_order", flat=True):
        seen.update(x for x in order or [] if isinstance(x, str))
    imported = {"legacy_id__isnull": False}
    seen.update(Service.objects.filter(**imported).values_list("service_owner", flat=True))
    seen.update(Service.objects.filter(**imported).values_list("primary_oncall", flat=True))
    seen.update(Schedule.objects.filter(**imported).values_list("engineer_slack_id", flat=True))
    for field in ("engineer_slack_id", "replaces_slack_id", "requested_by"):
        seen.update(Override.objects.filter(**imported).values_list(field, flat=True))
    return {x for x in seen if slack_ids.is_user_id(x)}


def import_people(run: ImportRun) -> None:
    names: dict[str, str] = {}
    members = TeamMembership.objects.filter(team_id__in=set(run.teams.values()))
    for slack_id, name in members.values_list("slack_user_id", "display_name"):
        if not names.get(slack_id):
            names[slack_id] = name
    wanted = _ids_named(run) | set(names)
    known = set(
        Person.objects.filter(slack_user_id__in=wanted).values_list("slack_user_id", flat=True)
    )
    new = [
        Person(
            slack_user_id=slack_id,
            display_name=names.get(slack_id, ""),
            status=PersonStatus.CONFIRMED,
        )
        for slack_id in sorted(wanted - known)
    ]
    insert(Person, [(person, {}) for person in new])  # with a history version saying whence

"""`manage.py seed_demo`: a believable organisation to click through, built by the actions.

Teams, members, services and users are checked for by their natural key first. Dated rows
(schedules, overrides, time away, the ledger history) come with the team that holds them, in the
run that creates it: a later run, in any week, finds the team and adds none of them. So a second
run changes nothing.
"""

import datetime
import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from oncall_project import demo_org
from schedules.actions import (
    OverrideFields,
    ScheduleFields,
    override_decide,
    override_request,
    rotation_config_update,
    schedule_create,
)
from schedules.actions.handoff import handoffs_process
from schedules.domain import handoff_at
from schedules.models import OnCallRecord
from services.actions import ServiceFields, service_create
from services.models import Service
from teams import actions
from teams.actions import person_link
from teams.models import Person, Team, TeamMembership

ADMIN_USERNAME = "admin"


class Command(BaseCommand):
    help = (
        "Create a demo organisation (teams, people, services, schedules, weeks of on-call "
        "history) and an admin user."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reset-admin-password",
            action="store_true",
            help="Give the existing admin user a new password (printed once).",
        )

    def handle(self, *args, reset_admin_password: bool = False, **options):
        today = timezone.localdate()
        self.monday = today - datetime.timedelta(days=today.weekday())
        self.created: dict[str, int] = {}
        self.notes: list[str] = []
        self.new_teams: set[str] = set()
        with transaction.atomic():
            self.people()
            teams = {spec["slug"]: self.team(spec) for spec in demo_org.TEAMS}
            self.services(teams)
            self.schedules(teams)
            self.overrides(teams)
            self.unavailability(teams)
            self.ledger_history()
            self.admin_user(reset_admin_password)
            self.users()
        self.report()

    def day(self, offset: int) -> datetime.date:
        return self.monday + datetime.timedelta(days=offset)

    def count(self, kind: str, n: int = 1) -> None:
        self.created[kind] = self.created.get(kind, 0) + n

    def is_new(self, slug: str | None) -> bool:
        """Whether this run created the team (None: every team) a dated row belongs to."""
        if slug is None:
            return self.new_teams == {spec["slug"] for spec in demo_org.TEAMS}
        return slug in self.new_teams

    def team(self, spec: dict) -> Team:
        team = Team.objects.filter(slug=spec["slug"]).first()
        if team is None:
            fields = {k: v for k, v in spec.items() if k not in {"members", "rotation"}}
            team = actions.team_create(actor=None, fields=actions.TeamFields(**fields))
            self.new_teams.add(team.slug)
            self.count("teams")
        self.members(team, spec["members"])
        if "rotation" in spec and self.is_new(team.slug):
            # Turned on once the members are in, as an operator would: the first plan has them.
            settings = actions.RotationSettings(
                **spec["rotation"],
                rotation_enabled=True,
                rotation_start_date=self.day(-demo_org.HISTORY_DAYS),
            )
            rotation_config_update(team=team, actor=None, settings=settings)
        return team

    def people(self) -> None:
        """Everyone the demo names joins the directory first, with a name and a time zone."""
        for slack_id, name in demo_org.PEOPLE.items():
            if Person.objects.filter(slack_user_id=slack_id).exists():
                continue
            fields = actions.PersonFields(
                display_name=name, real_name=name, timezone=demo_org.person_timezone(slack_id)
            )
            actions.person_create(slack_user_id=slack_id, actor=None, fields=fields)
            self.count("people")

    def members(self, team: Team, members: list[tuple[str, str, float]]) -> None:
        for slack_id, role, weight in members:
            if TeamMembership.objects.filter(team=team, slack_user_id=slack_id).exists():
                continue
            actions.membership_upsert(
                team=team,
                slack_user_id=slack_id,
                actor=None,
                fields=actions.MembershipFields(
                    team_role=role,
                    weight=weight,
                    display_name=demo_org.PEOPLE[slack_id],
                    joined_at=self.day(-30 if weight < 1 else -365),
                ),
            )
            self.count("memberships")

    def services(self, teams: dict[str, Team]) -> None:
        for spec in demo_org.SERVICES:
            if Service.objects.named(spec["name"]).exists():
                continue
            team = teams[spec["team"]]
            fields = spec | {"team": team, "team_slack_group": team.slack_group_id}
            service_create(actor=None, fields=ServiceFields(**fields))
            self.count("services")

    def schedules(self, teams: dict[str, Team]) -> None:
        for slug, engineer, first, last, days in demo_org.SCHEDULES:
            if not self.is_new(slug):
                continue
            fields = {"schedule_type": "daily", "days_of_week": days} if days else {}
            schedule_create(
                team=teams[slug],
                actor=None,
                fields=ScheduleFields(
                    engineer_slack_id=engineer,
                    start_date=self.day(first),
                    end_date=self.day(last),
                    **fields,
                ),
            )
            self.count("schedules")

    def overrides(self, teams: dict[str, Team]) -> None:
        for slug, engineer, replaces, first, last, reason, decision in demo_org.OVERRIDES:
            if not self.is_new(slug):
                continue
            override = override_request(
                team=teams[slug],
                actor=None,
                fields=OverrideFields(
                    engineer_slack_id=engineer,
                    replaces_slack_id=replaces,
                    start_date=self.day(first),
                    end_date=self.day(last),
                    reason=reason,
                ),
            )
            if decision and override.status != decision:
                override_decide(override=override, actor=None, status=decision)
            self.count("overrides")

    def unavailability(self, teams: dict[str, Team]) -> None:
        for slack_id, slug, first, last, reason in demo_org.UNAVAILABILITY:
            if not self.is_new(slug):
                continue
            actions.unavailability_create(
                actor=None,
                slack_user_id=slack_id,
                team=teams[slug] if slug else None,
                start_date=self.day(first),
                end_date=self.day(last),
                reason=reason,
            )
            self.count("unavailabilities")

    def ledger_history(self) -> None:
        """The ledger for the history weeks, written by the handoff itself: at each team's
        handoff on every Monday of the history, then now. Each run catches up the days since
        the last, as the beat tick does after a pause (a week, within its catch-up limit)."""
        new = list(Team.objects.filter(slug__in=self.new_teams).order_by("slug"))
        if not new:
            return
        for offset in range(-demo_org.HISTORY_DAYS, 0, 7):
            for team in new:
                at = handoff_at(self.day(offset), team.timezone, team.handoff_time)
                handoffs_process(team_ids=[team.pk], now=at)
        handoffs_process(team_ids=[team.pk for team in new], now=timezone.now())
        self.count("on-call days", OnCallRecord.objects.filter(team__in=new).count())

    def admin_user(self, reset_password: bool) -> None:
        user_model = get_user_model()
        admin = user_model.objects.filter(username=ADMIN_USERNAME).first()
        if admin is not None and not reset_password:
            self.notes.append(
                f"Superuser '{ADMIN_USERNAME}' exists; its password is unchanged "
                "(--reset-admin-password makes a new one)."
            )
            return
        password = secrets.token_urlsafe(16)
        if admin is None:
            user_model.objects.create_superuser(ADMIN_USERNAME, "admin@example.com", password)
            self.count("users")
        else:
            admin.set_password(password)
            admin.save(update_fields=["password"])
        self.notes.append(f"Superuser '{ADMIN_USERNAME}' password: {password}")

    def users(self) -> None:
        user_model = get_user_model()
        for username, slack_id in demo_org.USERS:
            user = user_model.objects.filter(username=username).first()
            if user is None:
                password = secrets.token_urlsafe(12)
                first, last = demo_org.PEOPLE[slack_id].split(" ", 1)
                user = user_model.objects.create_user(
                    username,
                    f"{username}@example.com",
                    password,
                    first_name=first,
                    last_name=last,
                )
                self.count("users")
                self.notes.append(f"User '{username}' ({slack_id}) password: {password}")
            if not Person.objects.filter(user=user).exists():
                person_link(user=user, slack_user_id=slack_id, actor=None)
                self.count("accounts linked")

    def report(self) -> None:
        if self.created:
            done = ", ".join(f"{n} {kind}" for kind, n in self.created.items())
            self.stdout.write(self.style.SUCCESS(f"Created {done}."))
        else:
            self.stdout.write("The demo organisation is already there; nothing to create.")
        for note in self.notes:
            self.stdout.write(note)

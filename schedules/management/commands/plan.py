"""Print a team's rotation plan as a table (nothing is saved)."""

from django.core.management.base import BaseCommand, CommandError

from oncall_project.base.errors import DomainError
from schedules.actions import rotation_preview
from teams.models import Team


class Command(BaseCommand):
    help = "Show who the rotation puts on call for the next N periods."

    def add_arguments(self, parser):
        parser.add_argument("--team", required=True, help="Team slug")
        parser.add_argument("--periods", type=int, default=8)

    def handle(self, *args, team, periods, **options):
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise CommandError(f"No team with slug '{team}'.")
        try:
            outcome = rotation_preview(team=found, periods=periods)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        if not outcome.entries:
            self.stdout.write(
                f"{found.name} has no rotation plan (rotation off or no one eligible)."
            )
            return
        self.stdout.write(f"{'period':>6}  {'start':10}  {'end':10}  engineer")
        for entry in outcome.entries:
            self.stdout.write(
                f"{entry.index:>6}  {entry.start_date}  {entry.end_date}  "
                f"{entry.engineer or '(nobody available)'}"
            )

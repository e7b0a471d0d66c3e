"""Run the handoff for due teams now (what the beat tick does), or for one team."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from schedules.actions.handoff import due_team_ids, handoff_mark_due, handoff_process
from teams.models import Team


class Command(BaseCommand):
    help = "Process handoffs now: every due team, or --team SLUG whether due or not."

    def add_arguments(self, parser):
        parser.add_argument("--team", help="Team slug")

    def handle(self, *args, team=None, **options):
        now = timezone.now()
        if team:
            found = Team.objects.filter(slug=team, is_active=True).first()
            if found is None:
                raise CommandError(f"No active team with slug '{team}'.")
            # Forced: make the handoff due, then let the action decide what is left to record.
            handoff_mark_due(team_id=found.pk)
            ids = [found.pk]
        else:
            ids = due_team_ids(now)
        for team_id in ids:
            outcome = handoff_process(team_id=team_id, now=now)
            if outcome is None:
                continue
            name = Team.objects.get(pk=team_id).name
            days = ", ".join(d.isoformat() for d in outcome.recorded) or "nothing new"
            self.stdout.write(f"{name}: on call {outcome.engineer or 'nobody'} (recorded {days})")
        self.stdout.write(self.style.SUCCESS(f"{len(ids)} team(s) processed."))

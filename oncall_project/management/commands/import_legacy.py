"""`manage.py import_legacy --from postgres://… [--dry-run]`."""

from django.core.management.base import BaseCommand, CommandError

from oncall_project.legacy import LegacyImportError, import_legacy


class Command(BaseCommand):
    help = (
        "Import teams, memberships, services, schedules, overrides and on-call history from the "
        "old bug-bot database (read only). Idempotent; all or nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--from",
            dest="source_url",
            required=True,
            metavar="postgres://…",
            help="The legacy PostgreSQL database; it is only read.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Do the whole import and print its summary, then roll it back.",
        )

    def handle(self, *args, source_url: str, dry_run: bool = False, **options):
        try:
            report = import_legacy(url=source_url, dry_run=dry_run)
        except LegacyImportError as exc:
            raise CommandError(f"{exc.message} Nothing was imported.") from exc
        for line in report.lines():
            self.stdout.write(line)

from django.core.management.base import BaseCommand, CommandError

from oncall_project.base.errors import InvalidInput
from oncall_project.tokens import api_token_create


class Command(BaseCommand):
    help = (
        "Create an API token for a machine client (the user NAME is created if missing, with no "
        "password). The token is printed once; only its hash is stored."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Username of the client, e.g. bug-bot.")
        parser.add_argument(
            "--staff", action="store_true", help="Make the client staff (may write to any team)."
        )

    def handle(self, *args, name: str, staff: bool, **options):
        try:
            user, token = api_token_create(name=name.strip(), staff=staff)
        except InvalidInput as exc:
            raise CommandError(exc.message) from exc
        self.stderr.write(
            f"Token for {user.get_username()}{' (staff)' if user.is_staff else ''}; "
            "store it now, it is not shown again:"
        )
        self.stdout.write(token)

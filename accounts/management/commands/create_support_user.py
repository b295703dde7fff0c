"""Create a staff user in the Support group."""

import getpass

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.roles import SUPPORT_GROUP_NAME
from accounts.services import support_email_clean, support_user_create


class Command(BaseCommand):
    help = (
        f"Create a staff user in the {SUPPORT_GROUP_NAME} group, who signs into the admin with "
        "EMAIL. Prompts for the password unless --password is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("--email", required=True, help="The email the user signs in with.")
        parser.add_argument(
            "--password",
            help="The password (for scripts; it stays in your shell history). Prompted for when left out.",
        )

    def handle(self, *args, email, password, **options):
        try:
            email = support_email_clean(email=email)
            if password is None:
                password = self._prompt_password()
            user = support_user_create(email=email, password=password)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            self.style.SUCCESS(f"Created support user {user.email} in the {SUPPORT_GROUP_NAME} group.")
        )

    def _prompt_password(self) -> str:
        try:
            password = getpass.getpass("Password: ")
            again = getpass.getpass("Password (again): ")
        except (EOFError, KeyboardInterrupt):
            raise CommandError("No password given.") from None
        if password != again:
            raise CommandError("The two passwords differ.")
        return password

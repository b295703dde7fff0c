"""Erase a user and everything stored about them."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from userdata.services import UserData, user_data_summary, user_delete_data


class Command(BaseCommand):
    help = (
        "Erase USER_ID, their tasks and the admin history about them, in one transaction, and "
        "print what was removed. Asks for confirmation unless --yes; --dry-run only says what "
        "would be removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="The Better Auth user id.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Print what would be removed and delete nothing (no confirmation asked).",
        )

    def handle(self, *args, user_id, yes, dry_run, **options):
        try:
            if dry_run:
                summary = user_data_summary(user_id=user_id)
                self.stdout.write(f"Dry run: would delete {_describe(summary)}. Nothing was deleted.")
                return
            if not yes:
                summary = user_data_summary(user_id=user_id)
                self.stdout.write(f"This erases {_describe(summary)}.")
                if not self._confirmed():
                    raise CommandError("Aborted; nothing was deleted.")
            removed = user_delete_data(user_id=user_id)
        except User.DoesNotExist:
            raise CommandError(f"No user with id {user_id!r}.") from None
        self.stdout.write(self.style.SUCCESS(f"Deleted {_describe(removed)}."))

    def _confirmed(self) -> bool:
        try:
            answer = input("Type 'yes' to erase: ")
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() == "yes"


def _describe(data: UserData) -> str:
    return (
        f"user {data.user_id} ({data.email or 'no email'}), {data.tasks} tasks "
        f"and {data.admin_log_entries} admin log entries"
    )

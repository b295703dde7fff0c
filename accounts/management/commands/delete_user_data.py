"""Erase a user and everything stored about them."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from accounts.services import user_data_summary, user_delete_data


class Command(BaseCommand):
    help = (
        "Erase USER_ID, their tasks and the admin history about them, in one transaction, and "
        "print what was removed. Asks for confirmation unless --yes."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="The Better Auth user id.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, user_id, yes, **options):
        try:
            if not yes:
                summary = user_data_summary(user_id=user_id)
                self.stdout.write(
                    f"This erases user {summary.user_id} ({summary.email or 'no email'}), "
                    f"{summary.tasks} tasks and {summary.admin_log_entries} admin log entries."
                )
                if not self._confirmed():
                    raise CommandError("Aborted; nothing was deleted.")
            removed = user_delete_data(user_id=user_id)
        except User.DoesNotExist:
            raise CommandError(f"No user with id {user_id!r}.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Deleted user {removed.user_id} ({removed.email or 'no email'}), {removed.tasks} tasks "
                f"and {removed.admin_log_entries} admin log entries."
            )
        )

    def _confirmed(self) -> bool:
        try:
            answer = input("Type 'yes' to erase: ")
        except (EOFError, KeyboardInterrupt):
            return False
        return answer.strip().lower() == "yes"

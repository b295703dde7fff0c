"""Export a user and their tasks as JSON (a data subject access request)."""

import json
import os

from django.core.management.base import BaseCommand, CommandError

from accounts.models import User
from userdata.services import user_export_data


class Command(BaseCommand):
    help = (
        "Print USER_ID's account and all their tasks as JSON, or write it to --output FILE "
        "(readable by its owner only). An unknown user is an error."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="The Better Auth user id.")
        parser.add_argument("--output", metavar="FILE", help="Write to FILE instead of standard output.")

    def handle(self, *args, user_id, output, **options):
        try:
            data = user_export_data(user_id=user_id)
        except User.DoesNotExist:
            raise CommandError(f"No user with id {user_id!r}.") from None
        text = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if output is None:
            self.stdout.write(text, ending="")
            return
        try:
            # Personal data: owner-only permissions when the file is new.
            descriptor = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                file.write(text)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from None
        self.stdout.write(
            self.style.SUCCESS(f"Wrote user {user_id} and {len(data['tasks'])} tasks to {output}.")
        )

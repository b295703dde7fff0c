"""Print a token for trying the API with curl."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email

from accounts.models import USER_ID_MAX_LENGTH, user_id_is_usable
from accounts.services import dev_token_issue

MAX_MINUTES = 7 * 24 * 60


class Command(BaseCommand):
    help = (
        "Print a JWT for USER_ID signed with BETTER_AUTH_SECRET, for trying the API with curl. "
        "Refuses when DEBUG is off unless --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id", help="The Better Auth user id the token speaks for.")
        parser.add_argument("--email", default="", help="The email claim.")
        parser.add_argument("--name", default="", help="The name claim.")
        parser.add_argument(
            "--minutes", type=int, default=60, help=f"Lifetime in minutes (1-{MAX_MINUTES}, default 60)."
        )
        parser.add_argument("--force", action="store_true", help="Issue even with DEBUG off.")

    def handle(self, *args, user_id, email, name, minutes, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: this looks like production. Add --force if you mean it.")
        if not user_id_is_usable(user_id):
            # The API's own rule: a token it would refuse is never issued.
            raise CommandError(
                f"USER_ID must be 1 to {USER_ID_MAX_LENGTH} printable characters, without '/'."
            )
        if not 1 <= minutes <= MAX_MINUTES:
            raise CommandError(f"--minutes must be between 1 and {MAX_MINUTES}.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                raise CommandError(f"--email {email!r} is not a valid email address.") from None
        try:
            token = dev_token_issue(user_id=user_id, email=email, name=name, minutes=minutes)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(token)

"""Say which token verification modes are on, and whether they can work."""

from django.core.management.base import BaseCommand, CommandError

from accounts.diagnostics import auth_check


class Command(BaseCommand):
    help = (
        "Print the active authentication modes and their settings (never the secret), fetch "
        "the JWKS and list its key ids; exit non-zero when the configuration cannot work."
    )

    def add_arguments(self, parser):
        parser.add_argument("--no-fetch", action="store_true", help="Do not fetch the JWKS.")

    def handle(self, *args, no_fetch, **options):
        report = auth_check(fetch=not no_fetch)
        styles = {"info": str, "warning": self.style.WARNING, "error": self.style.ERROR}
        prefixes = {"info": "", "warning": "Warning: ", "error": "Error: "}
        for level, text in report.lines:
            self.stdout.write(styles[level](f"{prefixes[level]}{text}"))
        if not report.ok:
            raise CommandError("The authentication configuration cannot work; see the errors above.")
        self.stdout.write(self.style.SUCCESS("OK"))

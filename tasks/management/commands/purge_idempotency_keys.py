"""Delete Idempotency-Key records past their 24 hours."""

from django.core.management.base import BaseCommand

from tasks.idempotency import idempotency_purge


class Command(BaseCommand):
    help = (
        "Delete the stored Idempotency-Key answers older than 24 hours, in one query, and print "
        "how many. With --dry-run, only count them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, do not delete.")

    def handle(self, *args, dry_run, **options):
        count = idempotency_purge(dry_run=dry_run)
        noun = "key" if count == 1 else "keys"
        if dry_run:
            self.stdout.write(f"Dry run: {count} expired idempotency {noun} would be deleted.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Deleted {count} expired idempotency {noun}."))

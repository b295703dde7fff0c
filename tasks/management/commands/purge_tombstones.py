"""Delete the tombstones of deleted tasks once no sync token can need them."""

from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from tasks.sync import tombstone_purge


class Command(BaseCommand):
    help = (
        "Delete the records of deleted tasks older than SYNC_RETENTION_DAYS (sync tokens expire "
        "as old), in one query, and print how many. With --dry-run, only count them."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Count, do not delete.")

    def handle(self, *args, dry_run, **options):
        days = settings.SYNC_RETENTION_DAYS
        count = tombstone_purge(older_than=timedelta(days=days), dry_run=dry_run)
        noun = "tombstone" if count == 1 else "tombstones"
        if dry_run:
            self.stdout.write(f"Dry run: {count} {noun} older than {days} days would be deleted.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Deleted {count} {noun} older than {days} days."))

"""Delete old completed tasks."""

from datetime import timedelta

from django.core.management.base import BaseCommand, CommandError

from tasks.services import task_purge_completed

MAX_DAYS = 100 * 365


class Command(BaseCommand):
    help = (
        "Delete completed tasks whose completion is older than DAYS days, in one query, and print "
        "how many. With --dry-run, only count them."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            required=True,
            metavar="DAYS",
            help="Age of the completion in days (0 or more; 0 means every completed task).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Count, do not delete.")

    def handle(self, *args, older_than, dry_run, **options):
        if not 0 <= older_than <= MAX_DAYS:
            raise CommandError(f"--older-than must be between 0 and {MAX_DAYS} days, not {older_than}.")
        count = task_purge_completed(older_than=timedelta(days=older_than), dry_run=dry_run)
        noun = "task" if count == 1 else "tasks"
        if dry_run:
            self.stdout.write(
                f"Dry run: {count} completed {noun} completed more than {older_than} days ago "
                "would be deleted."
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Deleted {count} completed {noun} completed more than {older_than} days ago."
                )
            )

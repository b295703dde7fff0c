"""Create demo users and tasks (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from tasks.demo import MAX_DEMO_TASKS_PER_USER, MAX_DEMO_USERS, demo_seed


class Command(BaseCommand):
    help = (
        "Create demo users (ids demo_user_0001…) with demo tasks. Idempotent: what exists is "
        "kept, so running it again creates nothing new."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, default=3, help=f"How many demo users (1-{MAX_DEMO_USERS}, default 3)."
        )
        parser.add_argument(
            "--tasks",
            type=int,
            default=10,
            help=f"How many tasks per demo user (1-{MAX_DEMO_TASKS_PER_USER}, default 10).",
        )

    def handle(self, *args, users, tasks, **options):
        try:
            result = demo_seed(users=users, tasks=tasks)
        except ValueError as error:  # a count out of range: the rule lives in demo_seed
            raise CommandError(str(error)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {result.users_created} demo users and {result.tasks_created} tasks "
                f"({users} users with {tasks} tasks each now exist)."
            )
        )
        self.stdout.write(f"Try the API as one: manage.py issue_dev_token {result.user_ids[0]}")

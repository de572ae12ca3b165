"""`manage.py seed_demo`: demo accounts, and with --sample-reports the sample data
(dashboard/sample_data.py) beside which it lives — reports never imports dashboard."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.sample_data import sample_reports_create
from departments.demo import DEMO_PASSWORD, demo_accounts_create


class Command(BaseCommand):
    help = "Create demo accounts (one office account, one viewer, one liaison per unit). DEBUG only."

    def add_arguments(self, parser):
        # Dashboard: sample reports so a newcomer's dashboard shows what it is for.
        parser.add_argument(
            "--sample-reports", action="store_true", help="also fill past periods with sample reports (【示例】)"
        )
        # `make run`: the table goes to a file (named in the README) instead of scrolling away under
        # the Celery banners; honcho prints the file again once everything has started.
        parser.add_argument("--accounts-file", help="write the demo-account table to this file instead of the screen")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("seed_demo creates accounts with a known password and runs only with DEBUG=1")
        accounts = demo_accounts_create()
        lines = [f"Demo accounts (password for all: {DEMO_PASSWORD}):"]
        for account in accounts:
            mark = "created" if account.created else "exists"
            lines.append(f"  {account.username:<12} {account.role:<8} {account.unit}  [{mark}]")
        if path := options.get("accounts_file"):
            Path(path).write_text("\n".join(lines) + "\n", encoding="utf-8")
            self.stdout.write(f"{len(accounts)} demo accounts (password for all: {DEMO_PASSWORD}) written to {path}")
        else:
            self.stdout.write("\n".join(lines))
        if options.get("sample_reports"):
            sample_reports_create(stdout=self.stdout)

from django.apps import apps
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from tasks.annex import AnnexFormatError
from tasks.seeding import SeedError, campaign_seed_from_annex


class Command(BaseCommand):
    help = "Load the 2024 plan's task-list annex (5 categories, 16 measures, 72 tasks). Safe to run again."

    def handle(self, *args, **options):
        try:
            result = campaign_seed_from_annex()
        except (AnnexFormatError, SeedError) as error:
            raise CommandError(str(error)) from error
        if result.total_created:
            details = ", ".join(f"{name}: {count}" for name, count in result.created.items() if count)
            self.stdout.write(self.style.SUCCESS(f"Seeded {result.campaign.name}: created {details}."))
        else:
            self.stdout.write(f"{result.campaign.name} is already seeded; nothing changed.")
        # The plan's numeric targets hang off the seeded campaign and tasks; the indicators app
        # depends on tasks (never the reverse), so it is reached by its command name only.
        if apps.is_installed("indicators"):
            call_command("seed_indicators", stdout=self.stdout)

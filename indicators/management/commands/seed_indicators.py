from django.core.management.base import BaseCommand, CommandError

from indicators.seeding import IndicatorSeedError, indicators_seed


class Command(BaseCommand):
    help = "Load the plan's numeric targets (fixtures/yinzhou-indicators.json). Safe to run again."

    def handle(self, *args, **options):
        try:
            created = indicators_seed()
        except IndicatorSeedError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"目标指标:新建 {created} 项。" if created else "目标指标已载入,无变化。")

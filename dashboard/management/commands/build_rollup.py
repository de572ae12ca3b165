from django.core.management.base import BaseCommand, CommandError

from dashboard.services import RollupError, rollup_build
from tasks.models import Campaign
from tasks.selectors import campaign_current


class Command(BaseCommand):
    help = "Build the quarterly rollup (季度汇总) of a period now, synchronously: build_rollup 2026Q4 [--campaign ID]."

    def add_arguments(self, parser):
        parser.add_argument("period", help="报送周期,如 2026Q4")
        parser.add_argument("--campaign", type=int, help="行动方案编号(默认:当前行动方案)")

    def handle(self, *args, period, campaign=None, **options):
        if campaign:
            target = Campaign.objects.filter(pk=campaign).first()
            if target is None:
                raise CommandError(f"没有编号为 {campaign} 的行动方案。")
        else:
            target = campaign_current()
            if target is None:
                raise CommandError("还没有行动方案。")
        try:
            rollup, created = rollup_build(campaign=target, period_code=period)
        except RollupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"{rollup}:{rollup.xlsx.name}" + ("" if created else "(已存在)"))

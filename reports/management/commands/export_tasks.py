"""`python manage.py export_tasks OUT.xlsx [--campaign ID] [--ledger]`.

Lives in the reports app (not tasks) because --ledger needs the report states; the plain
export is the tasks app's own (tasks.excel.export).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from tasks.excel.export import write_task_list
from tasks.models import Campaign
from tasks.selectors import campaign_current, task_list


class Command(BaseCommand):
    help = "Export a campaign's task list (annex layout) or, with --ledger, its progress ledger to an .xlsx file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="output .xlsx file")
        parser.add_argument("--campaign", type=int, help="campaign id (default: the current campaign)")
        parser.add_argument("--ledger", action="store_true", help="export the progress ledger (任务进展台账) instead")

    def handle(self, *args, path, campaign, ledger, **options):
        campaign_obj = Campaign.objects.filter(pk=campaign).first() if campaign else campaign_current()
        if campaign_obj is None:
            raise CommandError("找不到行动方案。" if campaign else "系统中还没有行动方案。")
        out = Path(path)
        try:
            with out.open("wb") as stream:
                if ledger:
                    from reports.ledger import write_ledger

                    write_ledger(stream, campaign=campaign_obj, today=timezone.localdate())
                else:
                    write_task_list(stream, campaign=campaign_obj, tasks=task_list(campaign=campaign_obj))
        except OSError as error:
            raise CommandError(f"无法写入 {out}:{error}") from error
        self.stdout.write(self.style.SUCCESS(f"已导出到 {out}"))

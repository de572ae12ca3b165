from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tasks.excel.safety import BadWorkbook
from tasks.excel.services import ImportRejected, task_list_import_from_bytes
from tasks.models import Campaign


class Command(BaseCommand):
    help = "Import a task list from an .xlsx in the annex layout: preview with --dry-run, else apply all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("path", help="the .xlsx file")
        parser.add_argument("--dry-run", action="store_true", help="only show what would change")
        parser.add_argument("--campaign", type=int, help="campaign id (default: the file's 方案信息, else the current one)")

    def handle(self, *args, path, dry_run, campaign, **options):
        campaign_obj = None
        if campaign is not None:
            campaign_obj = Campaign.objects.filter(pk=campaign).first()
            if campaign_obj is None:
                raise CommandError(f"行动方案 {campaign} 不存在。")
        try:
            data = Path(path).read_bytes()
        except OSError as error:
            raise CommandError(f"无法读取文件 {path}:{error}") from error
        try:
            plan, counts = task_list_import_from_bytes(
                data=data, campaign=campaign_obj, source=f"command:{Path(path).name}", dry_run=dry_run
            )
        except (BadWorkbook, ImportRejected) as error:
            raise CommandError(str(error)) from error
        preview = plan.preview(limit=10_000)
        c = preview["counts"]
        self.stdout.write(
            f"{preview['campaign']['name']}{'(新建)' if preview['campaign']['new'] else ''}:"
            f"新增 {c['added']},修改 {c['changed']},未变 {c['unchanged']},错误 {c['errors']},文件中没有 {c['missing']}"
        )
        for row in preview["changed"]:
            for change in row["changes"]:
                self.stdout.write(f"  第{row['row']}行 {row['key']} {change['label']}:{change['old']} → {change['new']}")
        for row in preview["added"]:
            self.stdout.write(f"  第{row['row']}行 {row['key']} 新增:{row['content'][:30]}")
        for error in preview["errors"]:
            where = f"第{error['row']}行" if error["row"] else "文件"
            self.stderr.write(f"  {where}:{error['message']}")
        if not plan.is_valid:
            raise CommandError(f"文件中有 {c['errors']} 处错误,未导入任何内容。")
        if dry_run:
            self.stdout.write("(试运行,未写入任何内容)")
        else:
            self.stdout.write(self.style.SUCCESS("已导入。"))

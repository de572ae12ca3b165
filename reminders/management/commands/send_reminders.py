import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from reminders import services
from reminders.notices import notice_delivery_send_quietly
from reminders.rules import Group
from reminders.workdays import WorkingCalendar


class Command(BaseCommand):
    help = (
        "Send today's reminders (the same as the daily Celery job, delivering inline). "
        "--dry-run prints who would get what and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as if today were this date (YYYY-MM-DD)")
        parser.add_argument("--dry-run", action="store_true", help="print who would get what; write nothing")

    def handle(self, *args, today=None, dry_run=False, **options):
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError:
                raise CommandError(f"--today 日期格式应为 YYYY-MM-DD(如 2026-12-01),收到:{today!r}") from None
        else:
            day = timezone.localdate()
        if dry_run:
            self._dry_run(day)
            return
        result = services.reminders_run(
            today=day, deliver=services.delivery_send_quietly, deliver_notice=notice_delivery_send_quietly
        )
        if not result.working_day:
            self.stdout.write(f"{day} 不是工作日,不发送提醒(顺延到下一个工作日)。")
            return
        self.stdout.write(
            f"{day}: 应发 {result.owed} 条,新登记 {result.claimed} 条,生成汇总 {result.digests} 份,"
            f"投递 {len(result.delivery_ids)} 次,即时通知补发 {len(result.notice_delivery_ids)} 次。"
        )

    def _dry_run(self, day: datetime.date) -> None:
        from departments.models import User

        # Loading facts may create missing reporting periods: roll everything back.
        with transaction.atomic():
            calendar = WorkingCalendar()
            if not calendar.is_working_day(day):
                self.stdout.write(f"[dry-run] {day} 不是工作日,不发送提醒。")
                transaction.set_rollback(True)
                return
            owed = services.owed_for_day(today=day, calendar=calendar)
            already = set(
                services.SentReminder.objects.filter(due_on__lte=day).values_list(
                    "user_id", "item_type", "item_id", "rule", "due_on"
                )
            )
            users = User.objects.select_related("unit").in_bulk({o.user_id for o in owed})
            transaction.set_rollback(True)
        fresh = [o for o in owed if o.key not in already]
        self.stdout.write(f"[dry-run] {day}: {len(fresh)} 条提醒,{len({o.user_id for o in fresh})} 人(不写入、不发送)")
        current = None
        for item in fresh:
            if item.user_id != current:
                current = item.user_id
                user = users[item.user_id]
                unit = user.unit.name if user.unit_id else ""
                self.stdout.write(f"\n{user.display_name} <{user.email or '无邮箱'}> {unit}")
            self.stdout.write(f"  [{Group.LABELS[item.group]}] {item.title}")

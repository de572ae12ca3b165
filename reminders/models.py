"""Reminders: the rules the office edits, the sent-log that makes each reminder go out once,
one digest per person per day with a delivery row per channel, in-app notifications, and the
working-day overrides consulted before the statutory calendar.

Exactly once, in the database (never in hopes about Celery delivery):
- SentReminder has a unique constraint on (recipient, item type, item id, rule, due date): a run
  claims a reminder by inserting its row (INSERT … ON CONFLICT DO NOTHING) before anything is sent.
- A claimed row joins the recipient's Digest of the day (unique per user and day) by a conditional
  UPDATE … WHERE digest IS NULL, so a row is in exactly one digest; a row claimed by a run that
  crashed before that step is picked up by the next run's digest.
- Each channel of a digest is one DigestDelivery (unique per digest and channel), moved
  pending → sending → sent / failed by conditional UPDATEs; a failed or abandoned channel is retried
  on its own and never repeats the others.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from departments.models import Unit

User = settings.AUTH_USER_MODEL


class RuleKind(models.TextChoices):
    DEADLINE = "deadline", "限期任务到期前提醒"
    OVERDUE = "overdue", "任务逾期提醒"
    REPORT_DUE = "report_due", "进展报送截止前提醒"
    REPORT_MISSING = "report_missing", "逾期未报送提醒"
    RETURNED = "returned", "退回未重新报送提醒"
    SUPERVISION = "supervision", "督办答复期限提醒"


class ReminderRule(models.Model):
    """One rule per kind; the office edits offsets and switches rules on and off in 系统管理 → 提醒规则
    (reminders/office_settings.py).

    Offsets are calendar days relative to the rule's date (the task deadline, the period's report
    due date, the return date, the supervision's answer date): -30 means 30 days before, 1 the day
    after. A reminder falling on a non-working day goes out on the next working day.
    """

    kind = models.CharField("规则", max_length=20, choices=RuleKind.choices, unique=True)
    enabled = models.BooleanField("启用", default=True)
    offsets = models.JSONField(
        "提醒时间(天)",
        default=list,
        blank=True,
        help_text="相对日期的天数列表,负数为之前、正数为之后,如 [-30, -7, -1]。",
    )
    support_offsets = models.JSONField(
        "配合单位也提醒的时间(天)",
        default=list,
        blank=True,
        help_text="这些时间点的提醒同时发给配合单位联络员,如 [-7];为空则只提醒牵头单位。",
    )
    repeat_every_days = models.PositiveSmallIntegerField(
        "此后每隔几天重复", null=True, blank=True, help_text="如逾期后每 7 天提醒一次;为空则不重复。"
    )
    office_from_days = models.SmallIntegerField(
        "抄送区安委办的起始天数",
        null=True,
        blank=True,
        help_text="相对天数达到该值时同时抄送区安委办(如逾期 14 天后);为空则不抄送。",
    )
    updated_at = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = "提醒规则"
        verbose_name_plural = "提醒规则"
        ordering = ["id"]

    def __str__(self) -> str:
        return self.get_kind_display()

    def clean(self) -> None:
        """Offsets are lists of whole days within a year either side (checked on save; the office form gives the messages)."""
        from django.core.exceptions import ValidationError

        errors = {}
        for name in ("offsets", "support_offsets"):
            value = getattr(self, name)
            if not isinstance(value, list) or not all(
                isinstance(x, int) and not isinstance(x, bool) and -365 <= x <= 365 for x in value
            ):
                errors[name] = "请填写整数列表(-365 到 365),如 [-30, -7, -1]。"
        if errors:
            raise ValidationError(errors)


class WorkingDayOverride(models.Model):
    """A day the office marks as working or not, consulted before the statutory calendar (调休 etc.)."""

    date = models.DateField("日期", unique=True)
    is_working_day = models.BooleanField("是否工作日")
    note = models.CharField("说明", max_length=100, blank=True, help_text="如“元旦调休上班”")

    class Meta:
        verbose_name = "工作日调整"
        verbose_name_plural = "工作日调整"
        ordering = ["-date"]

    def __str__(self) -> str:
        return f"{self.date} {'上班' if self.is_working_day else '休息'}"


class ReminderRun(models.Model):
    """One run of the daily scan (for catching up missed days and for the office page)."""

    day = models.DateField("提醒日期", db_index=True)
    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)
    window_start = models.DateField("覆盖起始日期")
    claimed = models.PositiveIntegerField("新登记提醒数", default=0)

    class Meta:
        verbose_name = "提醒运行记录"
        verbose_name_plural = "提醒运行记录"
        ordering = ["-started_at"]


class Digest(models.Model):
    """Everything one person is reminded of on one day, sent as one message per channel."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="reminder_digests")
    day = models.DateField("日期")
    created_at = models.DateTimeField("生成时间", auto_now_add=True)

    class Meta:
        verbose_name = "提醒汇总"
        verbose_name_plural = "提醒汇总"
        ordering = ["-day", "user_id"]
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="one_digest_per_user_per_day")]

    def __str__(self) -> str:
        return f"{self.user} {self.day}"


class SentReminder(models.Model):
    """One reminder owed to one person: claimed (inserted) before it is sent, exactly once."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="+")
    item_type = models.CharField("对象类型", max_length=20)  # task / report / supervision / unit (gap)
    item_id = models.PositiveBigIntegerField("对象编号")
    rule = models.CharField("规则", max_length=20, choices=RuleKind.choices)
    due_on = models.DateField("应提醒日期", help_text="规则算出的提醒日(遇节假日顺延前的日期)")
    group = models.CharField("分组", max_length=20)
    title = models.CharField("内容", max_length=300)
    link = models.CharField("链接", max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="涉及单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    run = models.ForeignKey(
        ReminderRun, verbose_name="运行", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    digest = models.ForeignKey(
        Digest, verbose_name="所属汇总", null=True, blank=True, on_delete=models.SET_NULL, related_name="reminders"
    )
    claimed_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"
        ordering = ["-due_on", "user_id", "group", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "item_type", "item_id", "rule", "due_on"], name="reminder_sent_once"
            )
        ]
        indexes = [
            models.Index(fields=["user"], condition=Q(digest__isnull=True), name="reminder_undigested"),
            models.Index(fields=["claimed_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.rule} {self.item_type}:{self.item_id} {self.due_on}"

    @property
    def group_label(self) -> str:
        from .rules import Group

        return Group.LABELS.get(self.group, self.group)


class Channel(models.TextChoices):
    INAPP = "inapp", "站内通知"
    EMAIL = "email", "电子邮件"
    WEBHOOK = "webhook", "群机器人"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"


class DigestDelivery(models.Model):
    """A digest on one channel: each channel is sent, failed and retried on its own."""

    digest = models.ForeignKey(Digest, verbose_name="汇总", on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices)
    target = models.CharField("发送地址", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "提醒发送"
        verbose_name_plural = "提醒发送"
        ordering = ["digest", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["digest", "channel"], name="one_delivery_per_digest_channel"),
        ]
        indexes = [models.Index(fields=["status"], condition=~Q(status="sent"), name="delivery_unsent")]

    def __str__(self) -> str:
        return f"{self.digest} {self.channel} {self.status}"


class Notification(models.Model):
    """An in-app message (the bell in the navbar)."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    digest = models.OneToOneField(
        Digest, verbose_name="来自汇总", null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread")]

    def __str__(self) -> str:
        return self.title

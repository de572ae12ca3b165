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
    topic = models.CharField(
        "事项", max_length=40, blank=True, help_text="提醒所说的事(任务时限、某期报送、退回、督办……),同一汇总中每项一行"
    )
    title = models.CharField("内容", max_length=300)
    detail = models.TextField("任务全文", blank=True, help_text="邮件中列出任务全文;有长度限制的渠道只发标题")
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
    ZWDING = "zwding", "浙政钉工作通知"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "待发送"
    SENDING = "sending", "发送中"
    SENT = "sent", "已发送"
    FAILED = "failed", "发送失败"
    # The channel's per-person daily limit was reached: sent by e-mail / in-app instead (last_error says how).
    REROUTED = "rerouted", "已改用其他渠道"


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


class NoticeKind(models.TextChoices):
    REPORT_RETURNED = "report_returned", "报送被退回"
    SUPERVISION_OPENED = "supervision_opened", "督办"
    SUPERVISION_RAISED = "supervision_raised", "督办升级"
    SUPERVISION_DUE = "supervision_due", "督办明日到期"
    SUPERVISION_OVERDUE = "supervision_overdue", "督办已超期"
    SUPERVISION_ANSWERED = "supervision_answered", "督办已答复"
    EXTENSION_REQUESTED = "extension_requested", "延期申请"
    EXTENSION_DECIDED = "extension_decided", "延期审批结果"
    SIGNED_OFF = "signed_off", "销号"
    SIGN_OFF_WITHDRAWN = "sign_off_withdrawn", "撤销销号"
    PERIOD_CLOSING = "period_closing", "报送周期关闭"
    CHASE = "chase", "催报/催办"


class NoticeEvent(models.Model):
    """Something that happened and that people must hear of now (a return, a 督办 …), told once.

    `key` names the happening itself (e.g. the review or the supervision step that caused it, or
    "supervision_due:<id>:<date>" for a date the daily scan notices): raising the same happening
    again finds the existing row and tells nobody twice.
    """

    kind = models.CharField("类型", max_length=30, choices=NoticeKind.choices)
    key = models.CharField("事件标识", max_length=200, unique=True)
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    unit = models.ForeignKey(
        Unit, verbose_name="涉及单位", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    item_type = models.CharField("对象类型", max_length=20, blank=True)  # report / supervision / task / period …
    item_id = models.PositiveBigIntegerField("对象编号", null=True, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "即时通知事件"
        verbose_name_plural = "即时通知事件"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["item_type", "item_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def supervision_to_acknowledge(self) -> int | None:
        """The supervision a liaison can sign for (签收) from this notice, if it is a 督办 demand."""
        demands = (NoticeKind.SUPERVISION_OPENED, NoticeKind.SUPERVISION_RAISED, NoticeKind.SUPERVISION_DUE,
                   NoticeKind.SUPERVISION_OVERDUE)
        return self.item_id if self.item_type == "supervision" and self.kind in demands else None


class NoticeDelivery(models.Model):
    """An event told to one person on one channel (e-mail, robot …): sent once, retried on its own.

    The channel is a configured channel's name (reminders.channels), not a fixed choice, so a new
    channel (浙政钉) needs no migration.
    """

    event = models.ForeignKey(NoticeEvent, verbose_name="事件", on_delete=models.CASCADE, related_name="deliveries")
    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField("渠道", max_length=30)
    target = models.CharField("发送地址", max_length=500, blank=True)
    status = models.CharField("状态", max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    last_error = models.TextField("最近错误", blank=True)
    claimed_at = models.DateTimeField("开始发送时间", null=True, blank=True)
    next_attempt_at = models.DateTimeField("下次重试时间", null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)

    class Meta:
        verbose_name = "即时通知发送"
        verbose_name_plural = "即时通知发送"
        ordering = ["event", "user_id", "channel"]
        constraints = [
            models.UniqueConstraint(fields=["event", "user", "channel"], name="notice_once_per_recipient_channel"),
        ]
        indexes = [models.Index(fields=["status"], condition=~Q(status="sent"), name="notice_delivery_unsent")]

    def __str__(self) -> str:
        return f"{self.event_id} {self.user_id} {self.channel} {self.status}"


class Notification(models.Model):
    """An in-app message (the bell in the navbar): a day's digest, or one event told at once."""

    user = models.ForeignKey(User, verbose_name="接收人", on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    link = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)
    read_at = models.DateTimeField("已读时间", null=True, blank=True)
    digest = models.OneToOneField(
        Digest, verbose_name="来自汇总", null=True, blank=True, on_delete=models.SET_NULL, related_name="notification"
    )
    event = models.ForeignKey(
        NoticeEvent, verbose_name="来自事件", null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )

    class Meta:
        verbose_name = "站内通知"
        verbose_name_plural = "站内通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user"], condition=Q(read_at__isnull=True), name="notification_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "user"], condition=Q(event__isnull=False), name="one_notification_per_event_user"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ChaseKind(models.TextChoices):
    REPORT = "report", "催报"
    SUPERVISION = "supervision", "催办"


class Chase(models.Model):
    """The office chased a unit now (催报 its missing reports, 催办 a 督办): at most once per unit a day."""

    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="+")
    day = models.DateField("日期")
    kind = models.CharField("类型", max_length=20, choices=ChaseKind.choices)
    title = models.CharField("内容", max_length=200)
    item_count = models.PositiveSmallIntegerField("涉及任务数", default=0)
    sent_by = models.ForeignKey(User, verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)
    event = models.OneToOneField(
        NoticeEvent, verbose_name="通知", null=True, blank=True, on_delete=models.SET_NULL, related_name="chase"
    )

    class Meta:
        verbose_name = "催报催办"
        verbose_name_plural = "催报催办"
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["unit", "day"], name="one_chase_per_unit_per_day")]

    def __str__(self) -> str:
        return f"{self.day} {self.unit_id} {self.get_kind_display()}"

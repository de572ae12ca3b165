"""Progress reporting and the office's governance of it.

- periods: ReportingPeriod (2026Q4 / 2026-11), closable;
- reports: ProgressReport per (task, unit, period), its append-only ReportVersion history,
  the office's ReportReview decisions, evidence Attachments;
- governance: Supervision (督办) with its steps, SignOff (销号), ExtensionRequest (延期申请),
  ReportReopening (a closed period's report reopened with a reason).

States are computed from these rows by `reports.status`, never stored as typed-in labels.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from departments.models import Unit
from tasks.models import AssignmentRole, Campaign, Task

User = settings.AUTH_USER_MODEL


class ReportingPeriod(models.Model):
    """A reporting period of a campaign: a quarter (2026Q4) or a month (2026-11)."""

    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="periods")
    code = models.CharField("周期", max_length=10, help_text="如 2026Q4 或 2026-11")
    start = models.DateField("开始日期")
    end = models.DateField("结束日期")
    due_date = models.DateField("报送截止日期")
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(
        User, verbose_name="关闭人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = "报送周期"
        verbose_name_plural = "报送周期"
        ordering = ["campaign", "start"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "code"], name="period_code_unique_per_campaign"),
            models.CheckConstraint(name="period_dates_ordered", condition=Q(start__lte=models.F("end"))),
            models.CheckConstraint(name="period_due_after_end", condition=Q(due_date__gte=models.F("end"))),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """2026Q4 → 2026年第四季度; 2026-11 → 2026年11月."""
        if "Q" in self.code:
            year, quarter = self.code.split("Q")
            return f"{year}年第{'一二三四'[int(quarter) - 1]}季度"
        year, month = self.code.split("-")
        return f"{year}年{int(month)}月"

    @property
    def is_closed(self) -> bool:
        return self.closed_at is not None


class PeriodReopening(models.Model):
    """The office reopened a whole closed period, with a reason: the closing it undid is kept here."""

    period = models.ForeignKey(ReportingPeriod, verbose_name="报送周期", on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField("原因")
    closed_at = models.DateTimeField("原关闭时间")
    closed_by = models.ForeignKey(
        User, verbose_name="原关闭人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_by = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField("重新开放时间")

    class Meta:
        verbose_name = "报送周期重新开放"
        verbose_name_plural = "报送周期重新开放"
        ordering = ["period", "reopened_at"]
        constraints = [models.CheckConstraint(name="period_reopening_needs_reason", condition=~Q(reason=""))]

    def __str__(self) -> str:
        return f"{self.period.label} 重新开放"


class ReportState(models.TextChoices):
    DRAFT = "draft", "草稿"
    SUBMITTED = "submitted", "已报送"
    RETURNED = "returned", "被退回"
    APPROVED = "approved", "已通过"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    COMPLETED = "completed", "已完成"


class ProgressReport(models.Model):
    """One unit's report on one task for one period.

    A lead unit's report is the task's report; a supporting unit's is its contribution
    (配合情况). Edited in place with an optimistic `version` (UPDATE … WHERE version = v);
    every saved state is also appended to ReportVersion, so nothing written is ever lost.
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.PROTECT, related_name="reports")
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="reports")
    period = models.ForeignKey(
        ReportingPeriod, verbose_name="报送周期", on_delete=models.PROTECT, related_name="reports"
    )
    role = models.CharField("职责", max_length=10, choices=AssignmentRole.choices)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    status = models.CharField(
        "推进情况", max_length=20, choices=ProgressStatus.choices, default=ProgressStatus.IN_PROGRESS
    )
    percent = models.PositiveSmallIntegerField("完成进度(%)", null=True, blank=True)
    progress = models.TextField("工作进展")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(User, verbose_name="填报人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_by = models.ForeignKey(User, verbose_name="最后修改人", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    first_submitted_at = models.DateTimeField(
        "首次报送时间", null=True, blank=True, help_text="用于判断是否按时报送"
    )
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField("审核意见", blank=True)
    # Set when the office reopens this report in a closed period; cleared by the next review.
    reopened_at = models.DateTimeField("重新开放时间", null=True, blank=True)

    class Meta:
        verbose_name = "进展报送"
        verbose_name_plural = "进展报送"
        ordering = ["-period__start", "task__sort_order", "role", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit", "period"], name="report_once_per_task_unit_period"),
            models.CheckConstraint(
                name="report_percent_0_100", condition=Q(percent__isnull=True) | Q(percent__lte=100)
            ),
            models.CheckConstraint(
                name="report_submitted_has_time",
                condition=Q(state=ReportState.DRAFT) | Q(submitted_at__isnull=False),
            ),
        ]
        indexes = [
            models.Index(fields=["period", "state"]),
            models.Index(fields=["task", "role", "state"]),
            models.Index(fields=["unit", "period"]),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} {self.unit.name} {self.period.code}"

    @property
    def audit_name(self) -> str:
        return f"任务 {self.task.key} · {self.unit.name} · {self.period.label}报送"

    @property
    def is_lead(self) -> bool:
        return self.role == AssignmentRole.LEAD


class VersionAction(models.TextChoices):
    SAVED = "saved", "保存草稿"
    SUBMITTED = "submitted", "报送"
    EDITED = "edited", "修改已报送内容"
    RETURNED = "returned", "退回"
    APPROVED = "approved", "审核通过"
    REOPENED = "reopened", "重新开放"


class ReportVersion(models.Model):
    """An append-only snapshot of a report after each change (never updated or deleted)."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报送", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=20, choices=VersionAction.choices)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices)
    status = models.CharField("推进情况", max_length=20, choices=ProgressStatus.choices)
    percent = models.PositiveSmallIntegerField("完成进度(%)", null=True, blank=True)
    progress = models.TextField("工作进展")
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步计划", blank=True)
    comment = models.TextField("意见", blank=True)
    created_by = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送版本"
        verbose_name_plural = "报送版本"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="report_version_number_unique")]

    def __str__(self) -> str:
        return f"{self.report} v{self.number}"


class ReviewDecision(models.TextChoices):
    APPROVE = "approve", "通过"
    RETURN = "return", "退回"


class ReportReview(models.Model):
    """The office's decision on a submitted report (which version it saw, and why)."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报送", on_delete=models.CASCADE, related_name="reviews")
    version_number = models.PositiveIntegerField("审核的版本")
    decision = models.CharField("结论", max_length=10, choices=ReviewDecision.choices)
    comment = models.TextField("审核意见", blank=True)
    reviewer = models.ForeignKey(User, verbose_name="审核人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("审核时间", auto_now_add=True)

    class Meta:
        verbose_name = "审核记录"
        verbose_name_plural = "审核记录"
        ordering = ["report", "created_at"]
        constraints = [
            models.CheckConstraint(
                name="review_return_needs_comment",
                condition=Q(decision="approve") | ~Q(comment=""),
            )
        ]


class SupervisionLevel(models.IntegerChoices):
    PROMPT = 1, "提示"
    SUPERVISE = 2, "督办"
    NOTIFY = 3, "通报"


class SupervisionState(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
    CLOSED = "closed", "已办结"


class Supervision(models.Model):
    """A task put under supervision (督办) by the office; the lead unit must answer by a date."""

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.PROTECT, related_name="supervisions")
    level = models.PositiveSmallIntegerField("督办等级", choices=SupervisionLevel.choices)
    instruction = models.TextField("督办要求")
    respond_by = models.DateField("答复期限")
    state = models.CharField("状态", max_length=20, choices=SupervisionState.choices, default=SupervisionState.OPEN)
    opened_by = models.ForeignKey(User, verbose_name="发起人", on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField("发起时间", auto_now_add=True)
    closed_by = models.ForeignKey(
        User, verbose_name="办结人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        verbose_name = "督办"
        verbose_name_plural = "督办"
        ordering = ["-opened_at"]
        constraints = [
            # At most one supervision in progress per task: raising the level updates it.
            models.UniqueConstraint(
                fields=["task"], condition=~Q(state="closed"), name="one_open_supervision_per_task"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} {self.get_level_display()}"

    @property
    def audit_name(self) -> str:
        return f"任务 {self.task.key} · {self.get_level_display()}"


class SupervisionStepKind(models.TextChoices):
    OPENED = "opened", "发起督办"
    ANSWERED = "answered", "牵头单位答复"
    RAISED = "raised", "提升等级"
    CLOSED = "closed", "办结"


class SupervisionStep(models.Model):
    """Every step of a supervision, in order: opened, answered, raised, closed."""

    supervision = models.ForeignKey(Supervision, verbose_name="督办", on_delete=models.CASCADE, related_name="steps")
    kind = models.CharField("环节", max_length=20, choices=SupervisionStepKind.choices)
    level = models.PositiveSmallIntegerField("等级", choices=SupervisionLevel.choices)
    text = models.TextField("内容")
    respond_by = models.DateField("答复期限", null=True, blank=True)
    unit = models.ForeignKey(Unit, verbose_name="单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办环节"
        verbose_name_plural = "督办环节"
        ordering = ["supervision", "created_at", "id"]


class SupervisionReceipt(models.Model):
    """A lead unit's liaison acknowledged (签收) a supervision's demand: its opening or a raise.

    One per demand step and unit: a raise is a new demand and is signed for again.
    """

    supervision = models.ForeignKey(Supervision, verbose_name="督办", on_delete=models.CASCADE, related_name="receipts")
    step = models.ForeignKey(
        SupervisionStep, verbose_name="签收的督办环节", on_delete=models.CASCADE, related_name="receipts"
    )
    unit = models.ForeignKey(Unit, verbose_name="签收单位", on_delete=models.PROTECT, related_name="+")
    acknowledged_by = models.ForeignKey(User, verbose_name="签收人", on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField("签收时间", auto_now_add=True)

    class Meta:
        verbose_name = "督办签收"
        verbose_name_plural = "督办签收"
        ordering = ["supervision", "acknowledged_at", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "unit"], name="one_receipt_per_step_unit")]

    def __str__(self) -> str:
        return f"{self.supervision_id} {self.unit_id} {self.acknowledged_at:%Y-%m-%d %H:%M}"


class SignOff(models.Model):
    """The office's sign-off (销号) of a completed task; reopening keeps the record."""

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.PROTECT, related_name="sign_offs")
    comment = models.TextField("销号意见")
    signed_by = models.ForeignKey(User, verbose_name="销号人", on_delete=models.PROTECT, related_name="+")
    signed_at = models.DateTimeField("销号时间", auto_now_add=True)
    based_on_report = models.ForeignKey(
        ProgressReport, verbose_name="依据的报送", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_by = models.ForeignKey(
        User, verbose_name="撤销人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reopened_at = models.DateTimeField("撤销销号时间", null=True, blank=True)
    reopen_reason = models.TextField("撤销原因", blank=True)

    class Meta:
        verbose_name = "销号"
        verbose_name_plural = "销号"
        ordering = ["-signed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(reopened_at__isnull=True), name="one_active_sign_off_per_task"
            ),
            models.CheckConstraint(
                name="sign_off_reopen_needs_reason",
                condition=Q(reopened_at__isnull=True) | ~Q(reopen_reason=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} 销号"

    @property
    def audit_name(self) -> str:
        return f"任务 {self.task.key} · 销号"


class ExtensionKind(models.TextChoices):
    EXTENSION = "extension", "延期申请"
    AUTHORITY_DATE = "authority_date", "上级明确时限"


class ExtensionState(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    REJECTED = "rejected", "不予批准"


class ExtensionRequest(models.Model):
    """A lead unit asks for a later deadline, or the office records a date set by a higher authority.

    The task's printed deadline never changes; the latest approved request's `approved_date`
    is the deadline lateness is judged against (see `reports.status`).
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.PROTECT, related_name="extension_requests")
    kind = models.CharField("类型", max_length=20, choices=ExtensionKind.choices, default=ExtensionKind.EXTENSION)
    unit = models.ForeignKey(
        Unit, verbose_name="申请单位", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    original_date = models.DateField("原完成时限", null=True, blank=True)
    requested_date = models.DateField("申请完成时限")
    reason = models.TextField("理由")
    requested_by = models.ForeignKey(User, verbose_name="申请人", on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    state = models.CharField("状态", max_length=20, choices=ExtensionState.choices, default=ExtensionState.PENDING)
    approved_date = models.DateField("批准的完成时限", null=True, blank=True)
    decided_by = models.ForeignKey(
        User, verbose_name="审批人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_comment = models.TextField("审批意见", blank=True)

    class Meta:
        verbose_name = "延期申请"
        verbose_name_plural = "延期申请"
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(state="pending"), name="one_pending_extension_per_task"
            ),
            models.CheckConstraint(
                name="approved_extension_has_date",
                condition=~Q(state="approved") | Q(approved_date__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["task", "state", "-decided_at"])]

    def __str__(self) -> str:
        return f"{self.task.key} {self.get_kind_display()}"

    @property
    def audit_name(self) -> str:
        return f"任务 {self.task.key} · {self.unit.name + ' ' if self.unit_id else ''}{self.get_kind_display()}"


class ReportReopening(models.Model):
    """The office reopened one report of a closed period, with a reason (shown in the history)."""

    report = models.ForeignKey(ProgressReport, verbose_name="进展报送", on_delete=models.CASCADE, related_name="reopenings")
    reason = models.TextField("原因")
    reopened_by = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    reopened_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "报送重新开放"
        verbose_name_plural = "报送重新开放"
        ordering = ["report", "reopened_at"]


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The accepted types (detected from the content by reports.attachments) and the extension each is
# stored with. Never the uploader's file name: a PDF called "x.html" is stored as .pdf, so no
# server or tool that goes by extensions ever treats an upload as a web page or a program.
ATTACHMENT_EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    DOCX: "docx",
    XLSX: "xlsx",
}


def attachment_path(instance: "Attachment", filename: str) -> str:
    """A random name with the extension of the detected type; the original name stays in the row
    (original_name) and is what downloads are called."""
    import uuid

    suffix = ATTACHMENT_EXTENSIONS.get(instance.content_type, "bin")
    return f"attachments/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class Attachment(models.Model):
    """Evidence (pdf, image, docx, xlsx) on a report, a supervision step or a sign-off; type checked by content."""

    report = models.ForeignKey(
        ProgressReport, verbose_name="进展报送", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    supervision_step = models.ForeignKey(
        SupervisionStep, verbose_name="督办环节", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    sign_off = models.ForeignKey(
        SignOff, verbose_name="销号", null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["uploaded_at", "id"]
        constraints = [
            models.CheckConstraint(
                name="attachment_has_exactly_one_owner",
                condition=(
                    Q(report__isnull=False, supervision_step__isnull=True, sign_off__isnull=True)
                    | Q(report__isnull=True, supervision_step__isnull=False, sign_off__isnull=True)
                    | Q(report__isnull=True, supervision_step__isnull=True, sign_off__isnull=False)
                ),
            ),
            # The same file (same bytes) once per report: a second upload adds nothing but noise.
            models.UniqueConstraint(
                fields=["report", "sha256"], condition=Q(report__isnull=False), name="attachment_file_once_per_report"
            ),
        ]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"

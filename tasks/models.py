"""The campaign's task list: campaign → category → measure → task, with lead and supporting units."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from departments.models import Unit

from .links import task_url


class Cadence(models.TextChoices):
    QUARTERLY = "quarterly", "按季度"
    MONTHLY = "monthly", "按月"


class Campaign(models.Model):
    """A plan with an annexed task list (行动方案). One deployment can hold several."""

    name = models.CharField("方案名称", max_length=200, unique=True)
    short_name = models.CharField("简称", max_length=50)
    issuer = models.CharField("发文单位", max_length=100, blank=True)
    issued_on = models.DateField("发布日期", null=True, blank=True)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    # The annex's standing rule "以下均需要镇(街道、园区)配合,不再列出": a unit (group) that
    # supports every task of the campaign without being listed on each one.
    standing_support_unit = models.ForeignKey(
        Unit,
        verbose_name="全部任务的配合单位",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="方案规定全部任务均需配合、不再逐项列出的单位(组)。",
    )
    standing_support_rule = models.CharField("配合规则原文", max_length=200, blank=True)
    report_cadence = models.CharField(
        "报送周期", max_length=20, choices=Cadence.choices, default=Cadence.QUARTERLY
    )
    report_due_days = models.PositiveSmallIntegerField(
        "报送期限(周期结束后第几天)", default=5
    )
    is_active = models.BooleanField("进行中", default=True)

    class Meta:
        verbose_name = "行动方案"
        verbose_name_plural = "行动方案"
        ordering = ["-start_date", "id"]
        constraints = [
            models.CheckConstraint(name="campaign_dates_ordered", condition=Q(start_date__lte=models.F("end_date"))),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class Category(models.Model):
    """One of the five groups of measures (主要任务 in the annex): 源头防, 人防, 技防, 工程防, 管理防."""

    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="categories")
    number = models.PositiveSmallIntegerField("序号")
    name = models.CharField("名称", max_length=20, help_text="如“源头防”")

    class Meta:
        verbose_name = "主要任务"
        verbose_name_plural = "主要任务"
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="category_number_unique"),
            models.UniqueConstraint(fields=["campaign", "name"], name="category_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """As printed in the annex: 落实“源头防”举措."""
        return f"落实“{self.name}”举措"


CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_numeral(number: int) -> str:
    """1 → 一, 10 → 十, 16 → 十六, 23 → 二十三 (enough for measure numbers)."""
    if number <= 0 or number >= 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_NUMERALS[tens - 1]) + "十"
    if ones:
        text += CHINESE_NUMERALS[ones - 1]
    return text


class Measure(models.Model):
    """A measure (落实举措 in the annex), (一) … (十六), numbered across the whole campaign."""

    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="measures")
    category = models.ForeignKey(Category, verbose_name="主要任务", on_delete=models.PROTECT, related_name="measures")
    number = models.PositiveSmallIntegerField("序号")
    title = models.CharField("名称", max_length=100, help_text="如“强化项目源头管控”")

    class Meta:
        verbose_name = "落实举措"
        verbose_name_plural = "落实举措"
        ordering = ["campaign", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="measure_number_unique"),
        ]

    def __str__(self) -> str:
        return f"({chinese_numeral(self.number)}){self.title}"

    @property
    def label(self) -> str:
        return str(self)


class DeadlineKind(models.TextChoices):
    ONGOING = "ongoing", "常态化"
    FIXED = "fixed", "限期完成"
    HIGHER_AUTHORITY = "higher_authority", "根据上级确定"


class TaskQuerySet(models.QuerySet):
    def in_figures(self) -> "TaskQuerySet":
        """Tasks that count: every task but those the office retired (撤销)."""
        return self.filter(retired_at__isnull=True)

    def with_annex(self) -> "TaskQuerySet":
        """Everything a list of tasks shows, in a fixed number of queries."""
        return self.select_related("measure", "measure__category", "campaign").prefetch_related(
            # Ordered by columns of the assignment itself: its default ordering ("task", …) expands
            # to Task's and Campaign's orderings, which joined and scanned every task of every
            # campaign (bench/findings.md). `Task.assigned()` sorts in Python anyway.
            models.Prefetch(
                "assignments",
                queryset=TaskAssignment.objects.select_related("unit").order_by("task_id", "role", "order", "id"),
            )
        )

    def for_unit(self, unit: Unit, *, role: str | None = None) -> "TaskQuerySet":
        """Tasks the unit owes (a current duty: named, designated or a bound group member —
        tasks.duties), and, for a group, the tasks that name it."""
        duties = TaskDuty.objects.current().filter(unit=unit)
        named = TaskAssignment.objects.filter(unit=unit)
        if role:
            duties, named = duties.filter(role=role), named.filter(role=role)
        return self.filter(Q(pk__in=duties.values("task_id")) | Q(pk__in=named.values("task_id")))

    def search(self, text: str) -> "TaskQuerySet":
        """Tasks whose key is `text`, or whose content or a unit's name contains it."""
        by_unit = TaskAssignment.objects.filter(unit__name__icontains=text).values("task_id")
        return self.filter(Q(key=text) | Q(content__icontains=text) | Q(pk__in=by_unit))


class Task(models.Model):
    """A specific task (具体任务) of the annex, keyed "<measure>.<task>" as printed, e.g. "7.4"."""

    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="tasks")
    measure = models.ForeignKey(Measure, verbose_name="落实举措", on_delete=models.PROTECT, related_name="tasks")
    number = models.PositiveSmallIntegerField("序号", help_text="附件中印刷的序号,不重新编号。")
    key = models.CharField("任务编号", max_length=20, help_text="“落实举措序号.具体任务序号”,如 7.4")
    content = models.TextField("具体任务")
    deadline_kind = models.CharField("完成时限类型", max_length=20, choices=DeadlineKind.choices)
    deadline_date = models.DateField(
        "完成时限", null=True, blank=True, help_text="限期完成的日期;根据上级确定的任务在上级明确后填写。"
    )
    deadline_text = models.CharField("完成时限原文", max_length=100, help_text="如“2024年底”“常态化”")
    lead_note = models.CharField(
        "牵头单位附注", max_length=50, blank=True, help_text="附件中写在牵头单位后的限定语,如“等按职责分工负责”"
    )
    support_note = models.CharField("配合单位附注", max_length=50, blank=True)
    # The annex's own words for the units, verbatim. Who owes what is the structure
    # (TaskAssignment → TaskDuty); this is what the plan says, printed as it is.
    lead_text = models.CharField("牵头单位(原文)", max_length=500, blank=True)
    support_text = models.CharField("责任(配合)单位(原文)", max_length=500, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=0)
    # 撤销 (tasks.handover.task_retire): the task stays with its reports and history, but owes
    # nothing from then on and leaves the lists and figures (TaskQuerySet.in_figures).
    retired_at = models.DateTimeField("撤销时间", null=True, blank=True)
    retire_reason = models.CharField("撤销理由", max_length=500, blank=True)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = "具体任务"
        verbose_name_plural = "具体任务"
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="task_key_unique_per_campaign"),
            models.UniqueConstraint(fields=["measure", "number"], name="task_number_unique_per_measure"),
            models.CheckConstraint(
                name="task_deadline_date_matches_kind",
                condition=(
                    Q(deadline_kind=DeadlineKind.FIXED, deadline_date__isnull=False)
                    | Q(deadline_kind=DeadlineKind.ONGOING, deadline_date__isnull=True)
                    | Q(deadline_kind=DeadlineKind.HIGHER_AUTHORITY)
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.content[:30]}"

    @property
    def audit_name(self) -> str:
        """任务 7.4, as the office names a task (the audit log and change logs)."""
        return f"任务 {self.key}"

    def save(self, *args, **kwargs):
        # The key is derived, never typed: it always agrees with the measure and the number.
        self.key = f"{self.measure.number}.{self.number}"
        super().save(*args, **kwargs)

    @property
    def category(self) -> Category:
        return self.measure.category

    # A task is named in URLs by its campaign and key (tasks.links): keys repeat across campaigns.

    def get_absolute_url(self) -> str:
        return task_url("reports:task_detail", self)

    @property
    def report_url(self) -> str:
        """The report form for the current period."""
        return task_url("reports:report_form", self)

    @property
    def governance_url(self) -> str:
        return task_url("governance:task", self)

    def assigned(self, role: str) -> list["TaskAssignment"]:
        # Works on prefetched assignments (see TaskQuerySet.with_annex) without a query.
        return sorted((a for a in self.assignments.all() if a.role == role), key=lambda a: (a.order, a.pk))

    @property
    def lead_assignments(self) -> list["TaskAssignment"]:
        return self.assigned(AssignmentRole.LEAD)

    @property
    def support_assignments(self) -> list["TaskAssignment"]:
        return self.assigned(AssignmentRole.SUPPORT)

    @property
    def lead_units(self) -> list[Unit]:
        return [a.unit for a in self.lead_assignments]

    @property
    def support_units(self) -> list[Unit]:
        return [a.unit for a in self.support_assignments]

    @property
    def lead_units_text(self) -> str:
        """As the annex prints it: 区应急管理局、区交通局等按职责分工负责 (its words, else built from the units)."""
        return self.lead_text or "、".join(u.name for u in self.lead_units) + self.lead_note

    @property
    def support_units_text(self) -> str:
        if self.support_text:
            return self.support_text
        names = [u.name for u in self.support_units]
        return "、".join(names) + self.support_note if names else ""

    def deadline_on(self) -> datetime.date | None:
        """The printed deadline date (None for ongoing tasks and undated higher-authority ones)."""
        return self.deadline_date


class AssignmentRole(models.TextChoices):
    LEAD = "lead", "牵头"
    SUPPORT = "support", "配合"


class AssignmentOrigin(models.TextChoices):
    ANNEX = "annex", "方案列明"
    IMPORT = "import", "清单导入"
    OFFICE = "office", "区安委办指定"


class TaskAssignment(models.Model):
    """A unit (or unit group) named on a task as lead (牵头) or supporting (责任/配合) unit.

    This is the structure as the plan (or the office) names it; who then owes what — groups
    resolved to their members — is `TaskDuty`, kept in step by `tasks.duties.duties_sync`.
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="assignments")
    role = models.CharField("职责", max_length=10, choices=AssignmentRole.choices)
    per_duty = models.BooleanField(
        "按职责分工负责", default=False, help_text="附件注明“按职责分工负责”:各单位在本单位职责范围内负责。"
    )
    order = models.PositiveSmallIntegerField("顺序", default=0)
    reports = models.BooleanField(
        "报送配合情况",
        default=False,
        help_text="仅配合单位:由区安委办指定需要按期报送配合情况的配合单位(单位组则为其承担责任的成员单位)。牵头单位总是要报送。",
    )
    origin = models.CharField("来源", max_length=10, choices=AssignmentOrigin.choices, default=AssignmentOrigin.ANNEX)
    reason = models.TextField("指定理由", blank=True)
    created_by = models.ForeignKey(
        "departments.User", verbose_name="指定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "责任分工"
        verbose_name_plural = "责任分工"
        ordering = ["task", "role", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "unit"], name="assignment_unit_once_per_task"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self) -> str:
        return f"{self.task.key} {self.get_role_display()} {self.unit.name}"

    @property
    def audit_name(self) -> str:
        return f"任务 {self.task.key} · {self.get_role_display()}单位 {self.unit.name}"


# --- Dated steps inside a task (里程碑) ------------------------------------------------------------


class TaskMilestone(models.Model):
    """A dated step the annex states inside one task's deadline, e.g. 4.2 (2025年底):
    "2024年……高危行业领域企业100%建立" by 2024-12-31, "2025年规上企业100%建立" by 2025-12-31.

    Its state is computed: 已达成 (the office confirmed it, `reached_at`), 已逾期 (its date passed
    without that), 未到期. An overdue step turns its task red (reports.status, rule 6).
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.CASCADE, related_name="milestones")
    order = models.PositiveSmallIntegerField("顺序")
    due_date = models.DateField("阶段时限")
    text = models.CharField("阶段目标(原文)", max_length=300)
    reached_at = models.DateTimeField("达成确认时间", null=True, blank=True)
    reached_by = models.ForeignKey(
        "departments.User", verbose_name="确认人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reached_note = models.TextField("达成情况(佐证说明)", blank=True)

    class Meta:
        verbose_name = "阶段目标"
        verbose_name_plural = "阶段目标"
        ordering = ["task", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "order"], name="milestone_order_unique_per_task"),
            models.CheckConstraint(
                name="milestone_reached_has_who_and_note",
                condition=Q(reached_at__isnull=True, reached_by__isnull=True)
                | (Q(reached_at__isnull=False, reached_by__isnull=False) & ~Q(reached_note="")),
            ),
        ]
        indexes = [models.Index(fields=["task", "due_date"], condition=Q(reached_at__isnull=True), name="milestone_open_by_task")]

    def __str__(self) -> str:
        return f"{self.task.key} {self.due_date:%Y-%m-%d} {self.text[:20]}"

    def state(self, today: datetime.date) -> str:
        if self.reached_at is not None:
            return "reached"
        return "overdue" if self.due_date < today else "pending"

    STATE_LABELS = {"reached": "已达成", "overdue": "已逾期", "pending": "未到期"}

    def state_label(self, today: datetime.date) -> str:
        return self.STATE_LABELS[self.state(today)]


# --- Who owes what: groups resolved to units ---------------------------------------------------


class GroupDesignation(models.Model):
    """The office names a member of a "相关成员单位" group as responsible for one task.

    Keyed by (task, group, unit), not by the assignment row, so an Excel import that rewrites a
    task's assignments keeps the office's designations.
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.CASCADE, related_name="designations")
    group = models.ForeignKey(Unit, verbose_name="单位组", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="明确的成员单位", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由", blank=True)
    created_by = models.ForeignKey(
        "departments.User", verbose_name="明确人", null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "明确的相关成员单位"
        verbose_name_plural = "明确的相关成员单位"
        ordering = ["task", "group", "unit__sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["task", "group", "unit"], name="designation_once_per_task_group_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} {self.group.name}:{self.unit.name}"


class ExemptionState(models.TextChoices):
    PENDING = "pending", "待区安委办认定"
    ACCEPTED = "accepted", "已认定不涉及"
    REJECTED = "rejected", "不予认定"


class DutyExemption(models.Model):
    """A member of an "各成员单位" group declares it has no duty on one task (不涉及), with a reason.

    Until the office accepts it the member still owes the task; accepted, the member's duty ends
    from the open periods on; rejected, it stays. A member may declare again after a rejection.
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.CASCADE, related_name="exemptions")
    group = models.ForeignKey(Unit, verbose_name="单位组", on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, verbose_name="申报单位", on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=10, choices=ExemptionState.choices, default=ExemptionState.PENDING)
    reason = models.TextField("不涉及的理由")
    declared_by = models.ForeignKey(
        "departments.User", verbose_name="申报人", on_delete=models.PROTECT, related_name="+"
    )
    declared_at = models.DateTimeField("申报时间", auto_now_add=True)
    decided_by = models.ForeignKey(
        "departments.User", verbose_name="认定人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField("认定时间", null=True, blank=True)
    decision_comment = models.TextField("认定意见", blank=True)

    class Meta:
        verbose_name = "不涉及申报"
        verbose_name_plural = "不涉及申报"
        ordering = ["-declared_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"],
                condition=Q(state__in=["pending", "accepted"]),
                name="one_live_exemption_per_task_unit",
            ),
            models.CheckConstraint(
                name="exemption_rejection_needs_comment",
                condition=~Q(state="rejected") | ~Q(decision_comment=""),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} {self.unit.name} 不涉及({self.get_state_display()})"


class DutyBasis(models.TextChoices):
    """Why a unit owes a task — what the task page and the docs call it."""

    NAMED = "named", "方案列明"
    OFFICE = "office", "区安委办指定"
    MEMBER = "member", "单位组成员"
    DESIGNATED = "designated", "区安委办明确"


class DutyEnd(models.TextChoices):
    REMOVED = "removed", "不再承担"
    EXEMPTED = "exempted", "认定不涉及"
    CHANGED = "changed", "职责调整"
    RETIRED = "retired", "单位停用"


class TaskDutyQuerySet(models.QuerySet):
    def current(self) -> "TaskDutyQuerySet":
        return self.filter(valid_to__isnull=True)

    def at(self, moment) -> "TaskDutyQuerySet":
        """The duties in force at a past moment (`current()` when moment is None)."""
        if moment is None:
            return self.current()
        return self.filter(Q(valid_from__lte=moment) & (Q(valid_to__isnull=True) | Q(valid_to__gt=moment)))


class TaskDuty(models.Model):
    """One real unit's duty on one task, with groups resolved: who owes what, and why.

    Derived from the assignments, group memberships, designations and accepted exemptions by
    `tasks.duties.duties_sync`, never typed in. Rows are never deleted: a duty that ends gets
    `valid_to`, so a closed reporting period can still be read as it was (`reports.obligations`).
    `reports`: whether the duty owes periodic reports (lead duties always do; supporting ones
    only where the office switched it on).
    """

    task = models.ForeignKey(Task, verbose_name="具体任务", on_delete=models.CASCADE, related_name="duties")
    unit = models.ForeignKey(Unit, verbose_name="单位", on_delete=models.PROTECT, related_name="duties")
    role = models.CharField("职责", max_length=10, choices=AssignmentRole.choices)
    basis = models.CharField("依据", max_length=12, choices=DutyBasis.choices)
    via = models.ForeignKey(
        Unit, verbose_name="所属单位组", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reports = models.BooleanField("按期报送")
    valid_from = models.DateTimeField("起始时间")
    valid_to = models.DateTimeField("终止时间", null=True, blank=True)
    end_reason = models.CharField("终止原因", max_length=10, choices=DutyEnd.choices, blank=True)

    objects = TaskDutyQuerySet.as_manager()

    class Meta:
        verbose_name = "责任单位"
        verbose_name_plural = "责任单位"
        ordering = ["task", "role", "unit__sort_order", "unit_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task", "unit"], condition=Q(valid_to__isnull=True), name="one_current_duty_per_task_unit"
            ),
            models.CheckConstraint(
                name="duty_lead_always_reports", condition=~Q(role="lead") | Q(reports=True)
            ),
            models.CheckConstraint(
                name="duty_ends_after_it_starts",
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
            ),
        ]
        indexes = [
            models.Index(fields=["unit", "task"], condition=Q(valid_to__isnull=True), name="duty_current_by_unit"),
            models.Index(fields=["task", "role"], condition=Q(valid_to__isnull=True), name="duty_current_by_task"),
        ]

    def __str__(self) -> str:
        return f"{self.task.key} {self.get_role_display()} {self.unit.name}"


# --- The campaign a user looks at --------------------------------------------------------------


class CampaignChoice(models.Model):
    """The campaign a user last chose on a page that shows one campaign (tasks.campaign_choice).

    One row per user; pages read it when the URL names no campaign. A finished campaign's row is
    simply ignored (the pages then show the newest active campaign).
    """

    user = models.OneToOneField(
        "departments.User", verbose_name="用户", on_delete=models.CASCADE, related_name="+", primary_key=True
    )
    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField("选择时间", default=timezone.now)

    class Meta:
        verbose_name = "用户选择的行动方案"
        verbose_name_plural = "用户选择的行动方案"

    def __str__(self) -> str:
        return f"{self.user_id} → {self.campaign_id}"


# --- Excel import of a task list (tasks/excel) ------------------------------------------------


class TaskImportState(models.TextChoices):
    QUEUED = "queued", "排队等待读取"
    READING = "reading", "正在读取"
    READY = "ready", "待确认"
    INVALID = "invalid", "有错误,不能导入"
    FAILED = "failed", "文件无法读取"
    APPLYING = "applying", "正在导入"
    APPLIED = "applied", "已导入"
    CANCELLED = "cancelled", "已取消"


class TaskImport(models.Model):
    """An uploaded task-list workbook on its way in: read (preview) first, then applied on confirmation.

    The upload is stored before anything else happens, so a broker outage or a crashed worker
    never loses it: the page can always read it again.
    """

    campaign = models.ForeignKey(
        Campaign, verbose_name="导入到方案", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        help_text="空:按文件中的方案信息匹配或新建,否则为当前方案。",
    )
    default_campaign = models.ForeignKey(
        Campaign, verbose_name="文件未写明方案时导入到", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", help_text="上传时页面所选的行动方案:文件没有“方案信息”工作表时导入到这个方案。",
    )
    file = models.FileField("文件", upload_to="task_imports/%Y/%m/")
    original_name = models.CharField("原文件名", max_length=255)
    size = models.PositiveIntegerField("大小(字节)", default=0)
    state = models.CharField("状态", max_length=20, choices=TaskImportState.choices, default=TaskImportState.QUEUED)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    message = models.TextField("说明", blank=True)
    preview = models.JSONField("预览", default=dict, blank=True)
    errors = models.JSONField("错误", default=list, blank=True)
    created_by = models.ForeignKey(
        "departments.User", verbose_name="上传人", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    applied_at = models.DateTimeField("导入时间", null=True, blank=True)

    class Meta:
        verbose_name = "任务清单导入"
        verbose_name_plural = "任务清单导入"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.original_name}({self.get_state_display()})"

    @property
    def is_busy(self) -> bool:
        return self.state in (TaskImportState.QUEUED, TaskImportState.READING, TaskImportState.APPLYING)

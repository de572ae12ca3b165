"""The plan's own numeric targets (指标) and the actual values units report against them.

- Indicator: one target of the plan (section 一(二) 主要目标, or a number an annex task states),
  with the sentence it comes from, its comparator, target value and unit, the year it is due.
- Who answers for it: where the indicator restates an annex task's own target (`task`), that
  task's current lead duties (tasks.duties, the same rules as every task); otherwise the units
  the office assigns (IndicatorAssignment) — to-do until it has.
- IndicatorValue: one unit's actual value for one reporting period, through the same
  draft → submitted → approved / returned flow as progress reports, with evidence
  (IndicatorEvidence) and an append-only history (IndicatorValueEvent); the office may correct an
  approved value with a reason.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q

from departments.models import Unit
from reports.models import ReportingPeriod, ReportState
from tasks.models import Campaign, Task

User = settings.AUTH_USER_MODEL


class Area(models.TextChoices):
    OVERALL = "overall", "总体"
    ROAD = "road", "道路交通"
    MARINE = "marine", "涉海涉渔"
    FIRE = "fire", "消防"
    HAZCHEM = "hazchem", "危化品"
    CONSTRUCTION = "construction", "建设施工"
    INDUSTRY = "industry", "工矿"
    TOURISM = "tourism", "旅游"
    CITY = "city", "城市运行"
    TASK = "task", "任务"


class Comparator(models.TextChoices):
    GTE = "gte", "≥"
    LTE = "lte", "≤"


class Measure(models.TextChoices):
    """The unit of the target value. 清零: what is left must come down to 0 (a count)."""

    PERCENT = "percent", "%"
    VESSELS = "vessels", "艘"
    ITEMS = "items", "个"
    ENTERPRISES = "enterprises", "家"
    KILOMETRES = "km", "公里"
    ACCIDENTS = "accidents", "起"
    DEATHS_PER_GDP = "deaths_per_gdp", "人/亿元GDP"
    CLEARED = "cleared", "清零"


# Rates are reported as numerator / denominator; the value is computed from them.
RATE_MEASURES = (Measure.PERCENT, Measure.DEATHS_PER_GDP)
# Counts are whole numbers.
COUNT_MEASURES = (Measure.VESSELS, Measure.ITEMS, Measure.ENTERPRISES, Measure.ACCIDENTS, Measure.CLEARED)


class Indicator(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.CASCADE, related_name="indicators")
    key = models.CharField("编号", max_length=20, help_text="如 O1(总体目标)、S3(重点领域目标)、T12.3(任务目标)")
    name = models.CharField("指标名称", max_length=200)
    area = models.CharField("领域", max_length=20, choices=Area.choices)
    source_text = models.TextField("方案原文", help_text="指标出自的方案原句,逐字照录。")
    target_text = models.CharField("目标原文", max_length=200, help_text="原句中写明目标值的部分。")
    comparator = models.CharField("比较", max_length=5, choices=Comparator.choices)
    target = models.DecimalField("目标值", max_digits=14, decimal_places=4)
    measure = models.CharField("单位", max_length=20, choices=Measure.choices)
    due_year = models.PositiveSmallIntegerField("目标年份", null=True, blank=True, help_text="空:常态化(每年)")
    task = models.ForeignKey(
        Task, verbose_name="责任依据任务", null=True, blank=True, on_delete=models.PROTECT, related_name="indicators",
        help_text="指标即该任务写明的目标时填写:责任单位为该任务的牵头单位(同任务的责任规则)。",
    )
    related_tasks = models.ManyToManyField(Task, verbose_name="相关任务", blank=True, related_name="related_indicators")
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "目标指标"
        verbose_name_plural = "目标指标"
        ordering = ["campaign", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "key"], name="indicator_key_unique_per_campaign"),
            models.CheckConstraint(name="indicator_comparator_known", condition=Q(comparator__in=Comparator.values)),
            models.CheckConstraint(name="indicator_measure_known", condition=Q(measure__in=Measure.values)),
            models.CheckConstraint(name="indicator_area_known", condition=Q(area__in=Area.values)),
            models.CheckConstraint(name="indicator_target_not_negative", condition=Q(target__gte=0)),
            models.CheckConstraint(
                name="indicator_percent_at_most_100", condition=~Q(measure=Measure.PERCENT) | Q(target__lte=100)
            ),
            models.CheckConstraint(
                name="indicator_cleared_means_at_most_zero",
                condition=~Q(measure=Measure.CLEARED) | Q(target=0, comparator=Comparator.LTE),
            ),
            models.CheckConstraint(
                name="indicator_due_year_plausible",
                condition=Q(due_year__isnull=True) | Q(due_year__gte=2000, due_year__lte=2100),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.name}"

    @property
    def is_rate(self) -> bool:
        return self.measure in RATE_MEASURES

    @property
    def is_count(self) -> bool:
        return self.measure in COUNT_MEASURES

    @property
    def target_label(self) -> str:
        """≥ 95%, ≤ 0.0025 人/亿元GDP, 清零."""
        if self.measure == Measure.CLEARED:
            return "清零"
        number = format_number(self.target)
        unit = self.get_measure_display()
        return f"{self.get_comparator_display()} {number}{unit}" if unit == "%" else f"{self.get_comparator_display()} {number} {unit}"

    @property
    def due_label(self) -> str:
        return f"{self.due_year}年底" if self.due_year else "常态化"

    def is_met(self, value: Decimal | None) -> bool | None:
        if value is None:
            return None
        return value >= self.target if self.comparator == Comparator.GTE else value <= self.target


def format_number(value: Decimal | None) -> str:
    """95.0000 → 95; 0.0025 → 0.0025; 33.3333 → 33.33 (values are shown with at most 4 decimals)."""
    if value is None:
        return ""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


class IndicatorAssignment(models.Model):
    """A unit the office made responsible for an indicator the plan names no unit for."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(Unit, verbose_name="责任单位", on_delete=models.PROTECT, related_name="+")
    reason = models.TextField("理由")
    created_by = models.ForeignKey(User, verbose_name="指定人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "指标责任单位"
        verbose_name_plural = "指标责任单位"
        ordering = ["indicator", "unit__sort_order", "id"]
        constraints = [models.UniqueConstraint(fields=["indicator", "unit"], name="indicator_unit_once")]

    def __str__(self) -> str:
        return f"{self.indicator.key} {self.unit.name}"


class IndicatorValue(models.Model):
    """One unit's actual value of an indicator for one period (the same review flow as a report)."""

    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="values")
    unit = models.ForeignKey(Unit, verbose_name="报送单位", on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(ReportingPeriod, verbose_name="报送周期", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField("实际值", max_digits=16, decimal_places=4)
    numerator = models.DecimalField("分子", max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("分母", max_digits=16, decimal_places=4, null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices, default=ReportState.DRAFT)
    version = models.PositiveIntegerField("版本", default=1)
    created_by = models.ForeignKey(User, verbose_name="填报人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_by = models.ForeignKey(User, verbose_name="最后修改人", on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField("最后修改时间", auto_now=True)
    submitted_at = models.DateTimeField("报送时间", null=True, blank=True)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        User, verbose_name="审核人", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_comment = models.TextField("审核意见", blank=True)
    corrected_at = models.DateTimeField("更正时间", null=True, blank=True)

    class Meta:
        verbose_name = "指标实际值"
        verbose_name_plural = "指标实际值"
        ordering = ["indicator", "-period__start", "unit__sort_order"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "unit", "period"], name="indicator_value_once_per_unit_period"),
            models.CheckConstraint(name="indicator_value_not_negative", condition=Q(value__gte=0)),
            models.CheckConstraint(
                name="indicator_value_fraction_complete",
                condition=Q(numerator__isnull=True, denominator__isnull=True)
                # Spelled out: a CHECK passes on NULL, so "denominator > 0" alone lets a half fraction in.
                | Q(numerator__isnull=False, denominator__isnull=False, numerator__gte=0, denominator__gt=0),
            ),
            models.CheckConstraint(
                name="indicator_value_submitted_has_time",
                condition=Q(state=ReportState.DRAFT) | Q(submitted_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["period", "state"]), models.Index(fields=["indicator", "state"])]

    def __str__(self) -> str:
        return f"{self.indicator.key} {self.unit.name} {self.period.code}"


class ValueAction(models.TextChoices):
    SAVED = "saved", "保存草稿"
    SUBMITTED = "submitted", "报送"
    EDITED = "edited", "修改已报送内容"
    RETURNED = "returned", "退回"
    APPROVED = "approved", "审核通过"
    CORRECTED = "corrected", "区安委办更正"


class IndicatorValueEvent(models.Model):
    """Append-only history of a value: what it was after each change, who did it and why."""

    value = models.ForeignKey(IndicatorValue, verbose_name="实际值", on_delete=models.CASCADE, related_name="events")
    number = models.PositiveIntegerField("版本号")
    action = models.CharField("操作", max_length=20, choices=ValueAction.choices)
    state = models.CharField("状态", max_length=20, choices=ReportState.choices)
    amount = models.DecimalField("实际值", max_digits=16, decimal_places=4)
    numerator = models.DecimalField("分子", max_digits=16, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField("分母", max_digits=16, decimal_places=4, null=True, blank=True)
    note = models.TextField("情况说明", blank=True)
    comment = models.TextField("意见或理由", blank=True)
    created_by = models.ForeignKey(User, verbose_name="操作人", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "指标实际值记录"
        verbose_name_plural = "指标实际值记录"
        ordering = ["value", "number"]
        constraints = [
            models.UniqueConstraint(fields=["value", "number"], name="indicator_value_event_number_unique"),
            models.CheckConstraint(
                name="indicator_correction_needs_reason", condition=~Q(action="corrected") | ~Q(comment="")
            ),
        ]


def evidence_path(instance: "IndicatorEvidence", filename: str) -> str:
    import uuid

    from reports.models import ATTACHMENT_EXTENSIONS

    suffix = ATTACHMENT_EXTENSIONS.get(instance.content_type, "bin")
    return f"indicator-evidence/{instance.uploaded_at:%Y/%m}/{uuid.uuid4().hex}.{suffix}"


class IndicatorEvidence(models.Model):
    """Evidence for a value (pdf, image, docx, xlsx), checked by content like report attachments."""

    value = models.ForeignKey(IndicatorValue, verbose_name="实际值", on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField("文件", upload_to=evidence_path, max_length=200)
    original_name = models.CharField("文件名", max_length=200)
    content_type = models.CharField("类型", max_length=100)
    size = models.PositiveBigIntegerField("大小(字节)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_by = models.ForeignKey(User, verbose_name="上传人", on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField("上传时间")

    class Meta:
        verbose_name = "指标佐证材料"
        verbose_name_plural = "指标佐证材料"
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name

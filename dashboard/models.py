"""The office's dashboard: quarterly rollups (季度汇总) frozen per period, and the assessment weights.

Depends on departments, tasks and reports; nothing there depends on this app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reports.models import ReportingPeriod
from tasks.models import Campaign

User = settings.AUTH_USER_MODEL


class AssessmentWeights(models.Model):
    """The weights of the open unit assessment (考核), tuned by the office in 系统管理 → 考核权重
    (dashboard/weights.py).

    得分 = (按时报送率×w报送 + 按期完成率×w完成 + 未被退回率×w退回 + 督办按时答复率×w督办) ÷ 权重之和 × 100,
    each rate over the unit's own obligations of the period (`dashboard.assessment`).
    Only the row named "default" is used; without one, the defaults below apply.
    """

    name = models.CharField("名称", max_length=20, unique=True, default="default")
    tasks_on_time = models.DecimalField("按期完成率权重", max_digits=5, decimal_places=2, default=3)
    reports_on_time = models.DecimalField("按时报送率权重", max_digits=5, decimal_places=2, default=1)
    reports_returned = models.DecimalField("未被退回率权重", max_digits=5, decimal_places=2, default=1)
    supervision_cleared = models.DecimalField("督办按时答复率权重", max_digits=5, decimal_places=2, default=2)
    note = models.TextField("说明", blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "考核权重"
        verbose_name_plural = "考核权重"

    def __str__(self) -> str:
        return f"考核权重({self.name})"


def rollup_path(instance: "Rollup", filename: str) -> str:
    return f"rollups/{instance.period.code}/{instance.campaign_id}-v{instance.version}-{filename}"


class RollupStatus(models.TextChoices):
    READY = "ready", "已生成"
    FAILED = "failed", "生成失败"


class Rollup(models.Model):
    """A quarter frozen for the district safety committee: summaries, one row per task, a workbook.

    Rebuilding a period adds a new version and keeps the old ones.
    """

    campaign = models.ForeignKey(Campaign, verbose_name="行动方案", on_delete=models.PROTECT, related_name="rollups")
    period = models.ForeignKey(ReportingPeriod, verbose_name="报送周期", on_delete=models.PROTECT, related_name="rollups")
    version = models.PositiveIntegerField("版本")
    status = models.CharField("状态", max_length=20, choices=RollupStatus.choices, default=RollupStatus.READY)
    snapshot = models.JSONField("汇总数据", default=dict)
    xlsx = models.FileField("汇总表", upload_to=rollup_path, max_length=300, blank=True)
    docx = models.FileField("通报稿", upload_to=rollup_path, max_length=300, blank=True)
    preview = models.BooleanField(
        "预览", default=False,
        help_text="在报送截止日期前生成的汇总只是预览:周期仍在报送,数据还会变化;截止后由定时任务生成正式汇总。",
    )
    scheduled = models.BooleanField(
        "定时生成", default=False, help_text="由每日定时任务生成的汇总会以邮件发送给区安委办。"
    )
    mailed_at = models.DateTimeField(
        "邮件发送时间", null=True, blank=True,
        help_text="发送前以条件更新(仅当为空时)占用,保证每份汇总至多发送一次;发送失败会清空,由下次定时任务重试。",
    )
    created_by = models.ForeignKey(
        User, verbose_name="生成人", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        help_text="为空表示由定时任务生成。",
    )
    created_at = models.DateTimeField("生成时间")

    class Meta:
        verbose_name = "季度汇总"
        verbose_name_plural = "季度汇总"
        ordering = ["-period__start", "campaign", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "period", "version"], name="rollup_version_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.period.label}汇总(第{self.version}版{'·预览' if self.preview else ''})"


class RollupTaskRow(models.Model):
    """One task as it stood when the rollup was taken (never updated afterwards)."""

    rollup = models.ForeignKey(Rollup, verbose_name="季度汇总", on_delete=models.CASCADE, related_name="rows")
    task_key = models.CharField("任务编号", max_length=20)
    category = models.CharField("举措类别", max_length=20)
    measure = models.CharField("主要任务", max_length=120)
    content = models.TextField("具体任务")
    deadline_text = models.CharField("完成时限", max_length=100)
    lead_units = models.TextField("牵头单位")
    state = models.CharField("状态", max_length=20)
    rag = models.CharField("红黄绿", max_length=10)
    progress_status = models.CharField("推进情况", max_length=20, blank=True)
    percent = models.PositiveSmallIntegerField("完成进度(%)", null=True, blank=True)
    lead_report = models.TextField("牵头单位报送内容", blank=True)
    reporting = models.CharField("报送情况", max_length=20, help_text="on_time / late / missing")
    under_supervision = models.BooleanField("督办中", default=False)
    sort_order = models.PositiveIntegerField("排序", default=0)

    class Meta:
        verbose_name = "汇总任务明细"
        verbose_name_plural = "汇总任务明细"
        ordering = ["rollup", "sort_order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["rollup", "task_key"], name="rollup_row_once_per_task"),
        ]

"""Shapes of the API's requests and responses. They validate and format only: writes go
through `reports.services`, status through `reports.status`, permissions through `reports.access`.
"""

from __future__ import annotations

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound

from reports.models import (
    ProgressStatus,
    ReportState,
    ReviewDecision,
    VersionAction,
)
from reports.periods import period_get
from reports.status import Rag, TaskState, days_left
from tasks.models import AssignmentRole, DeadlineKind

PERCENT_RANGE = "完成进度应在 0 到 100 之间。"
PROGRESS_REQUIRED = "请填写工作进展。"
TEXT_MAX = 20000
TEXT_TOO_LONG = f"内容过长,请控制在 {TEXT_MAX} 字以内。"


# --- Tasks -----------------------------------------------------------------------------------


class MeasureSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="主要任务序号,如 7")
    title = serializers.CharField(help_text="主要任务名称")


class CategorySerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="举措类别序号(1–5)")
    name = serializers.CharField(help_text="举措类别名称,如“人防”")


class DeadlineSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(source="deadline_kind", choices=DeadlineKind.choices, help_text="完成时限类型")
    kind_display = serializers.CharField(source="get_deadline_kind_display", help_text="完成时限类型(中文)")
    date = serializers.DateField(source="deadline_date", allow_null=True, help_text="附件印刷的完成时限日期")
    text = serializers.CharField(source="deadline_text", help_text="完成时限原文,如“2024年底”“常态化”")
    effective_date = serializers.DateField(
        source="effective_deadline", allow_null=True, help_text="判断逾期所依据的日期(有批准的延期时为延期后的日期)"
    )
    days_left = serializers.SerializerMethodField(help_text="距完成时限的天数,逾期为负数;无日期的任务为 null")

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_days_left(self, task) -> int | None:
        return days_left(task.effective_deadline, self.context["today"])


class TaskSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(
        source="campaign_id", help_text="行动方案编号:任务编号在各方案中会重复,方案编号和任务编号一起确定一项任务"
    )
    key = serializers.CharField(help_text="任务编号,如 7.5")
    measure = MeasureSerializer()
    category = CategorySerializer(source="measure.category")
    content = serializers.CharField(help_text="具体任务")
    deadline = DeadlineSerializer(source="*")
    lead_units = serializers.SerializerMethodField(help_text="牵头单位名称")
    support_units = serializers.SerializerMethodField(help_text="配合单位名称")
    lead_units_text = serializers.CharField(help_text="牵头单位(附件原文,含附注)")
    support_units_text = serializers.CharField(help_text="配合单位(附件原文,含附注)")
    state = serializers.ChoiceField(choices=TaskState.choices, help_text="任务状态,按状态规则计算")
    state_display = serializers.SerializerMethodField(help_text="任务状态(中文)")
    rag = serializers.ChoiceField(choices=Rag.choices, help_text="红黄绿标识")

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_lead_units(self, task) -> list[str]:
        return [unit.name for unit in task.lead_units]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_support_units(self, task) -> list[str]:
        return [unit.name for unit in task.support_units]

    def get_state_display(self, task) -> str:
        return TaskState(task.state).label


def task_row(task, *, today) -> dict:
    """A task as `TaskSerializer` writes it, built directly: the list's rows are read-only, and the
    nested serializers (three per task, fifteen fields each looked up and converted) cost more than
    the list's queries. `TaskSerializer` stays the documented shape and serves the detail; a test
    checks the two agree field for field on every task of the demo data."""
    measure = task.measure
    category = measure.category
    effective = task.effective_deadline
    return {
        "campaign": task.campaign_id,
        "key": task.key,
        "measure": {"number": measure.number, "title": measure.title},
        "category": {"number": category.number, "name": category.name},
        "content": task.content,
        "deadline": {
            "kind": task.deadline_kind,
            "kind_display": task.get_deadline_kind_display(),
            "date": task.deadline_date.isoformat() if task.deadline_date else None,
            "text": task.deadline_text,
            "effective_date": effective.isoformat() if effective else None,
            "days_left": days_left(effective, today),
        },
        "lead_units": [unit.name for unit in task.lead_units],
        "support_units": [unit.name for unit in task.support_units],
        "lead_units_text": task.lead_units_text,
        "support_units_text": task.support_units_text,
        "state": task.state,
        "state_display": TaskState(task.state).label,
        "rag": task.rag,
    }


class TaskDetailSerializer(TaskSerializer):
    my_role = serializers.SerializerMethodField(
        help_text="当前账号所在单位在该任务中的职责:lead 牵头、support 配合;不承担或非联络员为 null"
    )

    @extend_schema_field(serializers.ChoiceField(choices=AssignmentRole.choices, allow_null=True))
    def get_my_role(self, task) -> str | None:
        return self.context.get("my_role")


# --- Reports ---------------------------------------------------------------------------------


class ReportVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="版本号")
    action = serializers.ChoiceField(choices=VersionAction.choices, help_text="产生该版本的操作")
    action_display = serializers.CharField(source="get_action_display")
    state = serializers.ChoiceField(choices=ReportState.choices, help_text="该版本时的报送状态")
    status = serializers.ChoiceField(choices=ProgressStatus.choices)
    percent = serializers.IntegerField(allow_null=True)
    progress = serializers.CharField()
    problems = serializers.CharField()
    next_steps = serializers.CharField()
    comment = serializers.CharField(help_text="审核意见(退回、通过时)")
    created_at = serializers.DateTimeField()
    created_by = serializers.CharField(source="created_by.display_name", help_text="操作人")


class ReportReviewSerializer(serializers.Serializer):
    version_number = serializers.IntegerField(help_text="审核的版本号")
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    comment = serializers.CharField()
    reviewer = serializers.CharField(source="reviewer.display_name")
    created_at = serializers.DateTimeField()


class AttachmentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField(source="original_name", help_text="上传时的文件名")
    content_type = serializers.CharField(help_text="按内容识别的类型")
    size = serializers.IntegerField(help_text="字节数")
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    url = serializers.SerializerMethodField(help_text="下载地址(令牌或会话均可,权限同报送):/api/v1/attachments/{id}/")

    def get_url(self, attachment) -> str:
        return reverse("api:attachment", args=[attachment.pk])


class AttachmentUploadSerializer(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(allow_empty_file=False),
        help_text="一个或多个文件(multipart/form-data,字段名 files):PDF、图片、Word(.docx)、Excel(.xlsx)",
        error_messages={"required": "请选择要上传的附件。", "empty": "请选择要上传的附件。"},
    )


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    campaign = serializers.IntegerField(source="task.campaign_id", help_text="行动方案编号")
    task = serializers.CharField(source="task.key", help_text="任务编号(在行动方案内唯一)")
    unit = serializers.CharField(source="unit.name", help_text="报送单位")
    unit_id = serializers.IntegerField()
    period = serializers.CharField(source="period.code", help_text="报送周期,如 2026Q4")
    period_label = serializers.CharField(source="period.label", help_text="如“2026年第四季度”")
    role = serializers.ChoiceField(choices=AssignmentRole.choices, help_text="lead 牵头单位报送;support 配合单位的配合情况")
    state = serializers.ChoiceField(choices=ReportState.choices, help_text="报送状态")
    state_display = serializers.CharField(source="get_state_display")
    status = serializers.ChoiceField(choices=ProgressStatus.choices, help_text="推进情况")
    percent = serializers.IntegerField(allow_null=True, help_text="完成进度(%);常态化任务为 null")
    progress = serializers.CharField(help_text="工作进展")
    problems = serializers.CharField(help_text="存在问题")
    next_steps = serializers.CharField(help_text="下步计划")
    version = serializers.IntegerField(help_text="当前版本号:修改(PATCH)时原样带回")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    first_submitted_at = serializers.DateTimeField(allow_null=True)
    reviewed_at = serializers.DateTimeField(allow_null=True)
    reviewed_by = serializers.CharField(source="reviewed_by.display_name", allow_null=True, default=None)
    review_comment = serializers.CharField(help_text="最近一次审核意见")
    versions = ReportVersionSerializer(many=True, help_text="全部历史版本(只增不改)")
    reviews = ReportReviewSerializer(many=True, help_text="审核记录")
    attachments = AttachmentSerializer(many=True, help_text="佐证材料")


class ReportFieldsSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=ProgressStatus.choices,
        help_text="推进情况:not_started 未启动、in_progress 推进中、completed 已完成",
        error_messages={"required": "请选择推进情况。", "invalid_choice": "推进情况应为 not_started、in_progress 或 completed。"},
    )
    percent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=100,
        help_text="完成进度 0–100(有完成时限的任务报送时必填;常态化任务忽略)",
        error_messages={"min_value": PERCENT_RANGE, "max_value": PERCENT_RANGE, "invalid": "完成进度应为 0 到 100 的整数。"},
    )
    progress = serializers.CharField(
        max_length=TEXT_MAX,
        help_text="工作进展(必填)",
        error_messages={"required": PROGRESS_REQUIRED, "blank": PROGRESS_REQUIRED, "null": PROGRESS_REQUIRED, "max_length": TEXT_TOO_LONG},
    )
    problems = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX, help_text="存在问题",
        error_messages={"max_length": TEXT_TOO_LONG},
    )
    next_steps = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX, help_text="下步计划",
        error_messages={"max_length": TEXT_TOO_LONG},
    )
    submit = serializers.BooleanField(
        required=False, default=False, help_text="true 报送;false(默认)保存为草稿。已报送的报送修改后仍为已报送。"
    )


PERIOD_PATTERN = r"^[0-9]{4}(Q[1-4]|-[0-9]{2})$"
PERIOD_FORMAT = "报送周期应形如 2026Q4(按月报送时如 2026-11)。"


class ReportCreateSerializer(ReportFieldsSerializer):
    period = serializers.RegexField(
        PERIOD_PATTERN,
        max_length=7,
        help_text="报送周期代码,如 2026Q4(按月报送时如 2026-11);该任务的行动方案没有这个周期时返回 404",
        error_messages={"required": "请填写报送周期,如 2026Q4。", "blank": "请填写报送周期,如 2026Q4。",
                        "invalid": PERIOD_FORMAT, "max_length": PERIOD_FORMAT},
    )

    def validate_period(self, value):
        """The code → the task's campaign's ReportingPeriod (the view gives the task in the context).
        A well-formed code the campaign does not have is a resource that is not there: 404."""
        period = period_get(self.context["task"].campaign, value.strip())
        if period is None:
            raise NotFound(f"这项任务所属的行动方案没有报送周期“{value}”。")
        return period


class ReportPatchSerializer(ReportFieldsSerializer):
    version = serializers.IntegerField(
        min_value=1,
        help_text="您读取报送时看到的版本号;若此后已被他人修改,返回 409 和当前内容",
        error_messages={"required": "请提供您读取时的版本号(version)。", "invalid": "版本号应为整数。", "min_value": "版本号应为正整数。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A PATCH sends only what changes; omitted fields keep the report's current values.
        for name in ("status", "progress", "problems", "next_steps"):
            self.fields[name].required = False
        for name in ("problems", "next_steps"):
            self.fields[name].default = serializers.empty


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=ReviewDecision.choices,
        help_text="approve 通过;return 退回(须填写 comment)",
        error_messages={"required": "请选择审核结论(approve 或 return)。", "invalid_choice": "审核结论应为 approve(通过)或 return(退回)。"},
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=TEXT_MAX, help_text="审核意见;退回时必填",
        error_messages={"max_length": TEXT_TOO_LONG},
    )
    version = serializers.IntegerField(
        required=False, min_value=1, help_text="可选:审核时看到的版本号;若报送已被修改则返回 409",
        error_messages={"invalid": "版本号应为整数。", "min_value": "版本号应为正整数。"},
    )


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="错误说明")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="错误说明")
    code = serializers.ChoiceField(
        choices=[("conflict", "报送已被他人修改"), ("locked", "报送已锁定")],
        help_text="conflict:版本已过期,current 为当前内容,您的内容未保存;locked:已审核通过或周期已关闭",
    )
    current = ReportSerializer(required=False, help_text="报送的当前内容(仅 conflict 时)")

"""The governance steps (督办、销号、延期、关闭周期) as JSON endpoints under /api/v1/governance/.

Same services (reports.governance.services) and access helpers (reports.access) as the pages, on
the API's one base view (api.base) and error shape (api.exceptions). Serializers here only parse
and present; the services decide.
"""

from __future__ import annotations

import django_filters
from django.db.models import Prefetch
from django.urls import path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

import tasks.links  # noqa: F401 (registers the "taskkey" converter)
from audit.net import client_ip
from reports import access
from reports.governance import selectors, services
from reports.models import (
    Attachment,
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ReportingPeriod,
    SignOff,
    Supervision,
    SupervisionLevel,
    SupervisionReceipt,
    SupervisionState,
    SupervisionStep,
)
from .base import ApiListView, ApiView
from .filters import BooleanFilter, CampaignFilter, TaskKeyFilter

TAG = "督办、销号与延期"

# --- output -----------------------------------------------------------------------------------


class AttachmentOut(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="下载地址(令牌或会话均可,权限同报送)")

    class Meta:
        model = Attachment
        fields = ["id", "original_name", "content_type", "size", "uploaded_at", "url"]

    def get_url(self, attachment) -> str:
        return reverse("api:attachment", args=[attachment.pk])


class StepOut(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    unit = serializers.CharField(source="unit.name", default=None, allow_null=True, read_only=True)
    created_by = serializers.CharField(source="created_by.display_name", read_only=True)
    attachments = AttachmentOut(many=True, read_only=True)

    class Meta:
        model = SupervisionStep
        fields = ["id", "kind", "kind_display", "level", "level_display", "text", "respond_by", "unit",
                  "created_by", "created_at", "attachments"]


class ReceiptOut(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", read_only=True)
    acknowledged_by = serializers.CharField(source="acknowledged_by.display_name", read_only=True)

    class Meta:
        model = SupervisionReceipt
        fields = ["id", "step", "unit", "acknowledged_by", "acknowledged_at"]


class SupervisionOut(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="task.campaign_id", read_only=True, help_text="行动方案编号")
    task = serializers.CharField(source="task.key", read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    steps = StepOut(many=True, read_only=True)
    receipts = ReceiptOut(many=True, read_only=True, help_text="签收:每个牵头单位对每次督办要求(发起或提升等级)签收一次")

    class Meta:
        model = Supervision
        fields = ["id", "campaign", "task", "level", "level_display", "instruction", "respond_by", "state",
                  "state_display", "opened_at", "closed_at", "steps", "receipts"]


def _supervisions():
    """Supervisions with their steps and receipts (签收), in a fixed number of queries."""
    return selectors.supervisions_with_steps().prefetch_related(
        Prefetch("receipts", queryset=SupervisionReceipt.objects.select_related("unit", "acknowledged_by")
                 .order_by("acknowledged_at", "id"))
    )


class SignOffOut(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="task.campaign_id", read_only=True, help_text="行动方案编号")
    task = serializers.CharField(source="task.key", read_only=True)
    signed_by = serializers.CharField(source="signed_by.display_name", read_only=True)
    reopened_by = serializers.CharField(source="reopened_by.display_name", default=None, allow_null=True, read_only=True)
    attachments = AttachmentOut(many=True, read_only=True)

    class Meta:
        model = SignOff
        fields = ["id", "campaign", "task", "comment", "signed_by", "signed_at", "based_on_report", "reopened_at",
                  "reopened_by", "reopen_reason", "attachments"]


class ExtensionOut(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="task.campaign_id", read_only=True, help_text="行动方案编号")
    task = serializers.CharField(source="task.key", read_only=True)
    unit = serializers.CharField(source="unit.name", default=None, allow_null=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    state_display = serializers.CharField(source="get_state_display", read_only=True)
    printed_deadline = serializers.DateField(source="task.deadline_date", read_only=True)

    class Meta:
        model = ExtensionRequest
        fields = ["id", "campaign", "task", "kind", "kind_display", "unit", "printed_deadline", "original_date",
                  "requested_date", "reason", "requested_at", "state", "state_display", "approved_date",
                  "decided_at", "decision_comment"]


class PeriodOut(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True)
    is_closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = ReportingPeriod
        fields = ["id", "code", "label", "start", "end", "due_date", "closed_at", "is_closed"]


class ReportOut(serializers.ModelSerializer):
    campaign = serializers.IntegerField(source="task.campaign_id", read_only=True, help_text="行动方案编号")
    task = serializers.CharField(source="task.key", read_only=True)
    unit = serializers.CharField(source="unit.name", read_only=True)
    period = serializers.CharField(source="period.code", read_only=True)

    class Meta:
        model = ProgressReport
        fields = ["id", "campaign", "task", "unit", "period", "state", "status", "version", "reopened_at"]


# --- input ------------------------------------------------------------------------------------

DATE_ERRORS = {"invalid": "日期格式不正确,应为 YYYY-MM-DD。", "required": "请填写日期。", "null": "请填写日期。"}


def _text_field(label: str, *, required: bool = True) -> serializers.CharField:
    return serializers.CharField(
        label=label, required=required, allow_blank=not required, max_length=2000,
        error_messages={"required": f"请填写{label}。", "blank": f"请填写{label}。",
                        "max_length": "内容过长,请控制在 2000 字以内。"},
    )


LEVEL_FIELD = dict(
    choices=SupervisionLevel.choices,
    error_messages={"required": "请选择督办等级。", "invalid_choice": "督办等级应为 1(提示)、2(督办)或 3(通报)。"},
)


class SupervisionOpenIn(serializers.Serializer):
    campaign = serializers.IntegerField(
        label="行动方案编号", required=False, min_value=1,
        help_text="任务所属行动方案的编号;省略时为最新开始的进行中方案(任务编号在各方案中会重复)",
        error_messages={"invalid": "行动方案编号应为整数。", "min_value": "行动方案编号应为正整数。"},
    )
    task = serializers.CharField(label="任务编号", help_text="如 5.6", error_messages={"required": "请填写任务编号。"})
    level = serializers.ChoiceField(label="督办等级", **LEVEL_FIELD)
    instruction = _text_field("督办要求")
    respond_by = serializers.DateField(label="答复期限", error_messages=DATE_ERRORS)


class SupervisionAnswerIn(serializers.Serializer):
    text = _text_field("答复内容")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False, help_text="佐证材料(multipart,可多个)"
    )


class SupervisionRaiseIn(serializers.Serializer):
    level = serializers.ChoiceField(label="新的督办等级", **LEVEL_FIELD)
    respond_by = serializers.DateField(label="新的答复期限", error_messages=DATE_ERRORS)
    text = _text_field("说明", required=False)


class CommentIn(serializers.Serializer):
    comment = _text_field("办结意见")


class SignOffIn(serializers.Serializer):
    comment = _text_field("销号意见")
    attachments = serializers.ListField(
        child=serializers.FileField(), required=False,
        help_text="佐证材料(multipart);牵头单位审核通过的报送已附材料时可省略",
    )


class ReasonIn(serializers.Serializer):
    reason = _text_field("原因")


class ExtensionRequestIn(serializers.Serializer):
    campaign = serializers.IntegerField(
        label="行动方案编号", required=False, min_value=1,
        help_text="任务所属行动方案的编号;省略时为最新开始的进行中方案(任务编号在各方案中会重复)",
        error_messages={"invalid": "行动方案编号应为整数。", "min_value": "行动方案编号应为正整数。"},
    )
    task = serializers.CharField(label="任务编号", error_messages={"required": "请填写任务编号。"})
    requested_date = serializers.DateField(label="申请完成时限", error_messages=DATE_ERRORS)
    reason = _text_field("延期理由")


EXTENSION_DECISIONS = [("approve", "批准"), ("reject", "不予批准")]


class ExtensionDecideIn(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=EXTENSION_DECISIONS,
        error_messages={"required": "请选择审批结论。", "invalid_choice": "审批结论应为 approve 或 reject。"},
    )
    approved_date = serializers.DateField(required=False, allow_null=True, error_messages=DATE_ERRORS,
                                          help_text="批准时可另定时限;省略则按申请的时限")
    comment = _text_field("审批意见", required=False)


class AuthorityDateIn(serializers.Serializer):
    date = serializers.DateField(label="上级明确的完成时限", error_messages=DATE_ERRORS)
    reason = _text_field("依据", required=False)


ERRORS = {
    400: OpenApiResponse(description="输入有误(按字段给出中文说明)"),
    403: OpenApiResponse(description="无权进行此操作"),
    404: OpenApiResponse(description="对象不存在"),
    409: OpenApiResponse(description="当前状态不允许此操作(如已有未办结的督办)"),
}


def _responses(ok_status: int, serializer) -> dict:
    return {ok_status: serializer, **ERRORS}


# --- base -------------------------------------------------------------------------------------


class GovernanceAPIMixin:
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def parse(self, serializer_class):
        serializer = serializer_class(data=self.request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def ip(self):
        return client_ip(self.request)


class ByTaskFilter(django_filters.FilterSet):
    """The `task` (key) and `campaign` (id) filters of the governance lists."""

    campaign = CampaignFilter(field_name="task__campaign", label="行动方案编号(任务编号在各方案中会重复)")
    task = TaskKeyFilter(field_name="task__key", label="任务编号,如 5.6")


SUPERVISION_STATES = [*SupervisionState.choices, ("active", "未办结")]


class SupervisionFilter(ByTaskFilter):
    state = django_filters.ChoiceFilter(choices=SUPERVISION_STATES, method="filter_state", label="督办状态")

    def filter_state(self, queryset, name, value):
        if value == "active":
            return queryset.exclude(state=SupervisionState.CLOSED)
        return queryset.filter(state=value)


class SignOffFilter(ByTaskFilter):
    active = BooleanFilter(method="filter_active", label="只看有效(未撤销)的销号")

    def filter_active(self, queryset, name, value):
        return queryset.filter(reopened_at__isnull=True) if value else queryset


class ExtensionFilter(ByTaskFilter):
    state = django_filters.ChoiceFilter(choices=ExtensionState.choices, label="申请状态")


# --- supervision ------------------------------------------------------------------------------


class SupervisionListCreate(GovernanceAPIMixin, ApiListView):
    serializer_class = SupervisionOut
    filterset_class = SupervisionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Supervision.objects.none()
        qs = _supervisions().order_by("-opened_at", "-id")
        return access.visible_by_task(self.request.user, qs)

    @extend_schema(tags=[TAG], summary="督办列表")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], summary="发起督办(区安委办)", request=SupervisionOpenIn,
                   responses=_responses(201, SupervisionOut))
    def post(self, request):
        access.require_office(request.user)
        data = self.parse(SupervisionOpenIn)
        task = access.get_task(request.user, data.pop("task"), campaign_id=data.pop("campaign", None))
        supervision = services.supervision_open(user=request.user, task=task, ip_address=self.ip(), **data)
        return Response(SupervisionOut(_supervisions().get(pk=supervision.pk)).data,
                        status=status.HTTP_201_CREATED)


class SupervisionDetail(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="督办详情(含全部环节)", responses=_responses(200, SupervisionOut))
    def get(self, request, pk: int):
        access.get_supervision(request.user, pk)
        return Response(SupervisionOut(_supervisions().get(pk=pk)).data)


class SupervisionAnswer(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="答复督办(牵头单位联络员,可附佐证材料)",
                   request={"multipart/form-data": SupervisionAnswerIn, "application/json": SupervisionAnswerIn},
                   responses=_responses(201, StepOut))
    def post(self, request, pk: int):
        supervision = access.get_supervision(request.user, pk)
        access.require_lead_liaison(request.user, supervision.task)
        data = self.parse(SupervisionAnswerIn)
        step = services.supervision_answer(
            user=request.user, supervision=supervision, text=data["text"],
            files=request.FILES.getlist("attachments"), ip_address=self.ip(),
        )
        return Response(StepOut(step).data, status=status.HTTP_201_CREATED)


class SupervisionAcknowledge(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="签收督办(牵头单位联络员;再次签收返回原签收记录)", request=None,
                   responses=_responses(201, ReceiptOut) | _responses(200, ReceiptOut))
    def post(self, request, pk: int):
        supervision = access.get_supervision(request.user, pk)
        access.require_lead_liaison(request.user, supervision.task)
        receipt, created = services.supervision_acknowledge(
            user=request.user, supervision=supervision, ip_address=self.ip()
        )
        return Response(ReceiptOut(receipt).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class SupervisionRaise(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="提升督办等级(区安委办)", request=SupervisionRaiseIn,
                   responses=_responses(200, SupervisionOut))
    def post(self, request, pk: int):
        supervision = access.get_supervision(request.user, pk)
        access.require_office(request.user)
        data = self.parse(SupervisionRaiseIn)
        services.supervision_raise(user=request.user, supervision=supervision, ip_address=self.ip(), **data)
        return Response(SupervisionOut(_supervisions().get(pk=pk)).data)


class SupervisionClose(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="督办办结(区安委办)", request=CommentIn,
                   responses=_responses(200, SupervisionOut))
    def post(self, request, pk: int):
        supervision = access.get_supervision(request.user, pk)
        access.require_office(request.user)
        data = self.parse(CommentIn)
        services.supervision_close(user=request.user, supervision=supervision, ip_address=self.ip(), **data)
        return Response(SupervisionOut(_supervisions().get(pk=pk)).data)


# --- sign-off ---------------------------------------------------------------------------------


class SignOffList(GovernanceAPIMixin, ApiListView):
    serializer_class = SignOffOut
    filterset_class = SignOffFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SignOff.objects.none()
        qs = SignOff.objects.select_related("task", "signed_by", "reopened_by").prefetch_related("attachments")
        return access.visible_by_task(self.request.user, qs).order_by("-signed_at", "-id")

    @extend_schema(tags=[TAG], summary="销号记录")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class TaskSignOff(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="销号(区安委办,需销号意见和佐证材料)",
                   request={"multipart/form-data": SignOffIn, "application/json": SignOffIn},
                   responses=_responses(201, SignOffOut))
    def post(self, request, key: str, campaign_id: int | None = None):
        task = access.get_task(request.user, key, campaign_id=campaign_id)
        access.require_office(request.user)
        data = self.parse(SignOffIn)
        sign_off = services.task_sign_off(
            user=request.user, task=task, comment=data["comment"],
            files=request.FILES.getlist("attachments"), ip_address=self.ip(),
        )
        return Response(SignOffOut(sign_off).data, status=status.HTTP_201_CREATED)


class TaskReopen(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="撤销销号(区安委办,需说明原因)", request=ReasonIn,
                   responses=_responses(200, SignOffOut))
    def post(self, request, key: str, campaign_id: int | None = None):
        task = access.get_task(request.user, key, campaign_id=campaign_id)
        access.require_office(request.user)
        data = self.parse(ReasonIn)
        sign_off = services.task_reopen(user=request.user, task=task, ip_address=self.ip(), **data)
        return Response(SignOffOut(sign_off).data)


# --- extensions -------------------------------------------------------------------------------


class ExtensionListCreate(GovernanceAPIMixin, ApiListView):
    serializer_class = ExtensionOut
    filterset_class = ExtensionFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ExtensionRequest.objects.none()
        qs = ExtensionRequest.objects.select_related("task", "unit")
        return access.visible_by_task(self.request.user, qs).order_by("-requested_at", "-id")

    @extend_schema(tags=[TAG], summary="延期申请与上级明确时限记录")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(tags=[TAG], summary="申请延期(牵头单位联络员)", request=ExtensionRequestIn,
                   responses=_responses(201, ExtensionOut))
    def post(self, request):
        body = request.data if hasattr(request.data, "get") else {}
        key = str(body.get("task") or "")
        raw_campaign = str(body.get("campaign") or "")
        if key and tasks.links.TASK_KEY.fullmatch(key):  # permission first: a forbidden caller learns nothing about its input
            campaign_id = int(raw_campaign) if raw_campaign.isdigit() and len(raw_campaign) <= 18 else None
            access.require_lead_liaison(request.user, access.get_task(request.user, key, campaign_id=campaign_id))
        data = self.parse(ExtensionRequestIn)
        task = access.get_task(request.user, data.pop("task"), campaign_id=data.pop("campaign", None))
        access.require_lead_liaison(request.user, task)
        extension = services.extension_request(user=request.user, task=task, ip_address=self.ip(), **data)
        return Response(ExtensionOut(extension).data, status=status.HTTP_201_CREATED)


class ExtensionDecide(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="审批延期申请(区安委办)", request=ExtensionDecideIn,
                   responses=_responses(200, ExtensionOut))
    def post(self, request, pk: int):
        extension = access.get_extension(request.user, pk)
        access.require_office(request.user)
        data = self.parse(ExtensionDecideIn)
        extension = services.extension_decide(
            user=request.user, extension=extension, approve=data["decision"] == "approve",
            approved_date=data.get("approved_date"), comment=data.get("comment", ""), ip_address=self.ip(),
        )
        return Response(ExtensionOut(extension).data)


class TaskAuthorityDate(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="录入上级明确的完成时限(区安委办)", request=AuthorityDateIn,
                   responses=_responses(201, ExtensionOut))
    def post(self, request, key: str, campaign_id: int | None = None):
        task = access.get_task(request.user, key, campaign_id=campaign_id)
        access.require_office(request.user)
        data = self.parse(AuthorityDateIn)
        extension = services.authority_date_set(user=request.user, task=task, ip_address=self.ip(), **data)
        return Response(ExtensionOut(extension).data, status=status.HTTP_201_CREATED)


# --- periods and reports ----------------------------------------------------------------------


class PeriodList(GovernanceAPIMixin, ApiListView):
    serializer_class = PeriodOut

    def get_queryset(self):
        return ReportingPeriod.objects.filter(campaign__is_active=True).order_by("campaign", "start")

    @extend_schema(tags=[TAG], summary="报送周期(含是否已关闭)")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class PeriodClose(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="关闭报送周期(区安委办;关闭后报送锁定)", request=None,
                   responses=_responses(200, PeriodOut))
    def post(self, request, pk: int):
        period = access.get_period(request.user, pk)
        access.require_office(request.user)
        period = services.period_close(user=request.user, period=period, ip_address=self.ip())
        return Response(PeriodOut(period).data)


class ReportReopen(GovernanceAPIMixin, ApiView):
    @extend_schema(tags=[TAG], summary="重新开放已关闭周期的一份报送(区安委办,需说明原因)", request=ReasonIn,
                   responses=_responses(200, ReportOut))
    def post(self, request, pk: int):
        report = access.get_report(request.user, pk)
        access.require_office(request.user)
        data = self.parse(ReasonIn)
        report = services.report_reopen(user=request.user, report=report, ip_address=self.ip(), **data)
        return Response(ReportOut(ProgressReport.objects.select_related("task", "unit", "period").get(pk=pk)).data)


def _legacy(view, name: str):
    """The same endpoint at its old key-only path (deprecated in the schema): the newest active
    campaign's task with that key."""
    legacy = type(f"Legacy{view.__name__}", (view,), {"__doc__": view.__doc__})
    return extend_schema_view(
        post=extend_schema(
            deprecated=True,
            operation_id=f"governance_tasks_by_key_{name}_create",
            description="旧地址(不含行动方案编号),按最新开始的进行中方案解析任务编号;"
            "请改用 /api/v1/governance/tasks/{campaign_id}/{key}/…。",
        )
    )(legacy)


urlpatterns = [
    path("supervisions/", SupervisionListCreate.as_view(), name="api-governance-supervisions"),
    path("supervisions/<int:pk>/", SupervisionDetail.as_view(), name="api-governance-supervision"),
    path("supervisions/<int:pk>/answer/", SupervisionAnswer.as_view(), name="api-governance-supervision-answer"),
    path("supervisions/<int:pk>/acknowledge/", SupervisionAcknowledge.as_view(),
         name="api-governance-supervision-acknowledge"),
    path("supervisions/<int:pk>/raise/", SupervisionRaise.as_view(), name="api-governance-supervision-raise"),
    path("supervisions/<int:pk>/close/", SupervisionClose.as_view(), name="api-governance-supervision-close"),
    path("sign-offs/", SignOffList.as_view(), name="api-governance-sign-offs"),
    # A task is named by its campaign and key (tasks.links); the old key-only paths stay, deprecated.
    path("tasks/<int:campaign_id>/<taskkey:key>/sign-off/", TaskSignOff.as_view(), name="api-governance-task-sign-off"),
    path("tasks/<int:campaign_id>/<taskkey:key>/reopen/", TaskReopen.as_view(), name="api-governance-task-reopen"),
    path(
        "tasks/<int:campaign_id>/<taskkey:key>/authority-date/",
        TaskAuthorityDate.as_view(),
        name="api-governance-authority-date",
    ),
    path("tasks/<taskkey:key>/sign-off/", _legacy(TaskSignOff, "sign_off").as_view()),
    path("tasks/<taskkey:key>/reopen/", _legacy(TaskReopen, "reopen").as_view()),
    path("tasks/<taskkey:key>/authority-date/", _legacy(TaskAuthorityDate, "authority_date").as_view()),
    path("extensions/", ExtensionListCreate.as_view(), name="api-governance-extensions"),
    path("extensions/<int:pk>/decide/", ExtensionDecide.as_view(), name="api-governance-extension-decide"),
    path("periods/", PeriodList.as_view(), name="api-governance-periods"),
    path("periods/<int:pk>/close/", PeriodClose.as_view(), name="api-governance-period-close"),
    path("reports/<int:pk>/reopen/", ReportReopen.as_view(), name="api-governance-report-reopen"),
]

"""The JSON API (/api/v1/): thin views — access helper → serializer → service → response.

Same permissions as the pages (reports.access); writes through reports.services; the task
status through reports.status. Errors: see api/exceptions.py.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from audit.net import client_ip
from reports import access
from reports.attachments import attachment_file_response
from reports.caching import cached_fragment
from reports.models import ProgressReport
from reports.services import (
    ReportConflict,
    ReportInput,
    report_attach,
    report_is_editable,
    report_review,
    report_save,
)
from reports.status import set_status

from tasks.links import TASK_KEY_PATTERN
from tasks.models import Task

from . import selectors
from .base import ApiGenericView, ApiListView, ApiView
from .filters import MAX_ID, NAME_MAX, CampaignField, ReportFilter, TaskFilter
from .serializers import (
    AttachmentUploadSerializer,
    ConflictSerializer,
    ErrorSerializer,
    ReportCreateSerializer,
    ReportPatchSerializer,
    ReportSerializer,
    ReviewSerializer,
    TaskDetailSerializer,
    TaskSerializer,
    task_row,
)

TASK_KEY = OpenApiParameter(
    "key", {"type": "string", "pattern": TASK_KEY_PATTERN}, OpenApiParameter.PATH, description="任务编号,如 7.5"
)
CAMPAIGN_ID = OpenApiParameter(
    "campaign_id", int, OpenApiParameter.PATH,
    description="行动方案编号(任务清单中每项任务的 campaign):任务编号在各方案中会重复,两者一起确定一项任务",
)
CAMPAIGN_FILTER = OpenApiParameter(
    "campaign", {"type": "integer", "minimum": 1, "maximum": MAX_ID},
    description="行动方案编号;省略时为最新开始的进行中方案。格式不对返回 400,没有这个方案返回 404",
)
LEGACY = "旧地址(不含行动方案编号),按最新开始的进行中方案解析任务编号;请改用 /api/v1/tasks/{campaign_id}/{key}/…。"
REPORT_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="报送编号")

R400 = OpenApiResponse(
    description="输入有误:按字段给出中文提示,如 {\"percent\": [\"完成进度应在 0 到 100 之间。\"]}"
)
R401 = OpenApiResponse(ErrorSerializer, description="未登录,或令牌无效")
R403 = OpenApiResponse(ErrorSerializer, description="无权进行此操作(什么也没有改变)")
R404 = OpenApiResponse(ErrorSerializer, description="没有这项任务或这份报送")
R409 = OpenApiResponse(
    ConflictSerializer,
    description=(
        "code=conflict:报送已被他人修改(您给出的 version 已过期),current 为当前内容,您的内容尚未保存;"
        "code=locked:报送已审核通过或所在周期已关闭,不能修改"
    ),
)


@extend_schema(tags=["任务"])
@extend_schema_view(
    get=extend_schema(
        summary="任务清单",
        description=(
            "一个行动方案的全部具体任务(所有登录用户均可查看),含按状态规则计算的 state 和 rag;"
            "用 campaign 选择方案(默认最新开始的进行中方案)。每项任务由 campaign 和 key 一起确定。"
        ),
        parameters=[
            CAMPAIGN_FILTER,
            OpenApiParameter(
                "unit", {"type": "string", "maxLength": NAME_MAX},
                description="单位名称(可用别名)或编号:该单位直接或通过所在单位组牵头、配合的任务;没有这个单位返回 404",
            ),
        ],
        responses={200: TaskSerializer(many=True), 400: R400, 401: R401},
    )
)
class TaskListView(ApiListView):
    serializer_class = TaskSerializer
    filterset_class = TaskFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no database needed
            return Task.objects.none()
        try:
            campaign = CampaignField().clean(self.request.query_params.get("campaign"))
        except DjangoValidationError as error:
            raise ValidationError({"campaign": error.messages}) from error
        return selectors.tasks_with_facts(today=timezone.localdate(), campaign=campaign)

    def list(self, request, *args, **kwargs):
        """One page of flat rows (`task_row`, the shape of TaskSerializer), with the status rules
        applied to the page's tasks in Python (`set_status`).

        The list is the same for every reader, so a page is kept in the cache under the data
        fingerprint, the date and the query (reports.caching): only valid queries are stored,
        so a stored page needs no new validation."""
        today = timezone.localdate()

        def page() -> dict:
            tasks = set_status(list(self.paginate_queryset(self.filter_queryset(self.get_queryset()))), today=today)
            return {"count": self.paginator.count, "rows": [task_row(task, today=today) for task in tasks]}

        stored = cached_fragment("api_task_list", [today, sorted(request.query_params.lists())], page)
        return self.paginator.response_for(request, count=stored["count"], rows=stored["rows"])


class _TaskDetail(ApiGenericView):
    serializer_class = TaskDetailSerializer

    def get(self, request, key, campaign_id=None):
        user = request.user
        task = access.get_task(user, key, campaign_id=campaign_id)
        annotated = selectors.tasks_with_status(campaign=task.campaign, today=timezone.localdate()).get(pk=task.pk)
        my_role = access.unit_role_on_task(task, user.unit) if access.is_liaison(user) else None
        serializer = self.get_serializer(annotated, context={**self.get_serializer_context(), "my_role": my_role})
        return Response(serializer.data)


@extend_schema(tags=["任务"])
@extend_schema_view(
    get=extend_schema(
        summary="任务详情",
        parameters=[CAMPAIGN_ID, TASK_KEY],
        responses={200: TaskDetailSerializer, 401: R401, 404: R404},
    )
)
class TaskDetailView(_TaskDetail):
    pass


@extend_schema(tags=["任务"])
@extend_schema_view(
    get=extend_schema(
        summary="任务详情(旧地址)",
        description=LEGACY,
        deprecated=True,
        operation_id="tasks_by_key_retrieve",
        parameters=[TASK_KEY],
        responses={200: TaskDetailSerializer, 401: R401, 404: R404},
    )
)
class LegacyTaskDetailView(_TaskDetail):
    pass


REPORT_FIELDS = ("status", "progress", "percent", "problems", "next_steps")


def _report_input(data: dict, current=None) -> ReportInput:
    """The service's input from validated data; for a PATCH, omitted fields keep the current values."""
    values = {name: data[name] for name in REPORT_FIELDS if name in data}
    if current is not None:
        values = {name: values.get(name, getattr(current, name)) for name in REPORT_FIELDS}
    return ReportInput(**values)


REPORT_CREATE = dict(
    description=(
        "联络员为本单位承担的任务填报某一周期的进展:`submit: true` 报送,否则保存为草稿。"
        "同一任务、单位、周期再次提交时,修改原报送并保存为新版本(被退回的报送即以此重新报送)。"
        "成功时返回 201 和报送(含 id、version、state)。"
        "已审核通过或周期已关闭的报送返回 409(code=locked)。"
    ),
    request=ReportCreateSerializer,
    responses={201: ReportSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    examples=[
        OpenApiExample(
            "报送",
            value={"period": "2026Q4", "status": "in_progress", "percent": 60, "progress": "已完成全区排查",
                   "problems": "", "next_steps": "年底前完成整改", "submit": True},
            request_only=True,
        )
    ],
)


class _TaskReportCreate(ApiView):
    def post(self, request, key, campaign_id=None):
        user = request.user
        task = access.get_task(user, key, campaign_id=campaign_id)
        access.require_report_writer(user, task)  # 403 before looking at the input
        serializer = ReportCreateSerializer(data=request.data, context={"task": task})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_save(
            user=user,
            task=task,
            period=data["period"],
            data=_report_input(data),
            submit=data["submit"],
            ip_address=client_ip(request),
        )
        body = ReportSerializer(selectors.report_with_history(report.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema(tags=["进展报送"])
@extend_schema_view(
    post=extend_schema(
        summary="填报本单位对该任务的进展(新建或修改)", parameters=[CAMPAIGN_ID, TASK_KEY], **REPORT_CREATE
    )
)
class TaskReportCreateView(_TaskReportCreate):
    pass


@extend_schema(tags=["进展报送"])
@extend_schema_view(
    post=extend_schema(
        summary="填报进展(旧地址)",
        deprecated=True,
        operation_id="tasks_by_key_reports_create",
        parameters=[TASK_KEY],
        **{**REPORT_CREATE, "description": LEGACY + REPORT_CREATE["description"]},
    )
)
class LegacyTaskReportCreateView(_TaskReportCreate):
    pass


@extend_schema(tags=["进展报送"])
@extend_schema_view(
    get=extend_schema(
        summary="报送列表",
        description=(
            "进行中的行动方案的报送:联络员只看到本单位承担任务的报送;区安委办和领导看到全部。"
            "每份报送含全部版本和审核记录。按任务筛选时请同时给出 campaign(任务编号在各方案中会重复)。"
        ),
        parameters=[
            OpenApiParameter(
                "unit", {"type": "string", "maxLength": NAME_MAX},
                description="报送单位名称(可用别名)或编号;没有这个单位返回 404",
            )
        ],
        responses={200: ReportSerializer(many=True), 400: R400, 401: R401},
    )
)
class ReportListView(ApiListView):
    serializer_class = ReportSerializer
    filterset_class = ReportFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressReport.objects.none()
        return selectors.reports_for(self.request.user)


@extend_schema(tags=["进展报送"])
class ReportDetailView(ApiView):
    @extend_schema(
        summary="报送详情",
        parameters=[REPORT_ID],
        responses={200: ReportSerializer, 401: R401, 403: R403, 404: R404},
    )
    def get(self, request, id):
        report = access.get_report(request.user, id)
        return Response(ReportSerializer(selectors.report_with_history(report.pk)).data)

    @extend_schema(
        summary="修改本单位的报送",
        description=(
            "带上读取时的 `version`,只需给出要修改的字段。每次修改保存为新版本。"
            "version 已过期(他人已修改)返回 409 和当前内容,您的内容未保存;"
            "已审核通过或周期已关闭返回 409(code=locked)。`submit: true` 报送草稿或被退回的报送。"
        ),
        parameters=[REPORT_ID],
        request=ReportPatchSerializer,
        responses={200: ReportSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def patch(self, request, id):
        user = request.user
        report = access.get_report(user, id, write=True)
        serializer = ReportPatchSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["version"] != report.version and report_is_editable(report, report.period):
            # Stale: refuse before merging omitted fields from a report the client has not seen.
            # (A locked report falls through: the service answers that it is locked.)
            raise ReportConflict(report)
        report = report_save(
            user=user,
            task=report.task,
            period=report.period,
            data=_report_input(data, current=report),
            submit=data["submit"],
            expected_version=data["version"],
            ip_address=client_ip(request),
        )
        return Response(ReportSerializer(selectors.report_with_history(report.pk)).data)


@extend_schema(tags=["审核"])
class ReportReviewView(ApiView):
    @extend_schema(
        summary="审核报送(区安委办)",
        description="对“已报送”的报送作出审核结论:approve 通过;return 退回(须填写 comment)。只有区安委办可以审核。",
        parameters=[REPORT_ID],
        request=ReviewSerializer,
        responses={200: ReportSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request, id):
        user = request.user
        access.require_office(user)
        report = access.get_report(user, id)
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = report_review(
            user=user,
            report=report,
            decision=data["decision"],
            comment=data["comment"],
            expected_version=data.get("version"),
            ip_address=client_ip(request),
        )
        return Response(ReportSerializer(selectors.report_with_history(report.pk)).data)


class AnyContentNegotiation(DefaultContentNegotiation):
    """A download answers with the file's own type whatever the client accepts; errors in JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


@extend_schema(tags=["进展报送"])
class AttachmentDownloadView(ApiView):
    content_negotiation_class = AnyContentNegotiation

    @extend_schema(
        summary="下载佐证材料",
        description="报送、督办答复或销号的佐证材料,以上传时的文件名下载;能查看该任务报送的用户可以下载。",
        parameters=[OpenApiParameter("id", int, OpenApiParameter.PATH, description="附件编号")],
        responses={(200, "*/*"): OpenApiResponse(OpenApiTypes.BINARY, description="文件内容")},
    )
    def get(self, request, id):
        return attachment_file_response(access.get_attachment(request.user, id))


@extend_schema(tags=["进展报送"])
class ReportAttachmentsView(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        summary="为本单位的报送上传佐证材料",
        description=(
            "multipart/form-data,字段名 files,可多个(一次最多 10 个)。类型按文件内容识别:"
            "PDF、图片(JPG/PNG/GIF/WebP)、Word(.docx)、Excel(.xlsx),大小有上限;任一文件不合格则全部不保存。"
            "报送的内容和版本号不变。已审核通过或周期已关闭的报送返回 409(code=locked)。"
        ),
        parameters=[REPORT_ID],
        request={"multipart/form-data": AttachmentUploadSerializer},
        responses={201: ReportSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request, id):
        user = request.user
        report = access.get_report(user, id, write=True)  # 403 before looking at the files
        serializer = AttachmentUploadSerializer(data={"files": request.FILES.getlist("files")})
        serializer.is_valid(raise_exception=True)
        report_attach(user=user, report=report, files=serializer.validated_data["files"], ip_address=client_ip(request))
        body = ReportSerializer(selectors.report_with_history(report.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

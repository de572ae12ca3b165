"""JSON endpoints of the plan's targets (目标指标) and their actual values.

Same permissions as the pages (indicators.access, through its services): every signed-in user
reads the indicators and the panel; a liaison of a responsible unit reports values; the office
reviews and corrects. Values a user reads: indicators.selectors.values_visible_to.
"""

from __future__ import annotations

import re

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from audit.net import client_ip
from indicators import access, selectors, services
from indicators.models import Area, Comparator, IndicatorValue, Measure
from reports.models import ReviewDecision
from reports.periods import period_current, period_get
from reports.services import ReportConflict
from tasks.models import Campaign
from tasks.selectors import active_campaigns

from .base import ApiView
from .views import R400, R401, R403, R404, R409

TEXT_MAX = 4000
PERIOD_CODE = re.compile(r"\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))", re.ASCII)


class IndicatorValueSerializer(serializers.ModelSerializer):
    unit = serializers.CharField(source="unit.name", help_text="报送单位")
    period = serializers.CharField(source="period.code", help_text="报送周期,如 2026Q4")
    evidence = serializers.SerializerMethodField(help_text="佐证材料文件名")

    class Meta:
        model = IndicatorValue
        fields = [
            "id", "indicator", "unit", "period", "value", "numerator", "denominator", "note", "state", "version",
            "submitted_at", "reviewed_at", "review_comment", "corrected_at", "evidence",
        ]

    def get_evidence(self, obj) -> list[str]:
        return [e.original_name for e in obj.evidence.all()]


class PanelRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="indicator.pk")
    campaign = serializers.IntegerField(source="indicator.campaign_id")
    key = serializers.CharField(source="indicator.key", help_text="指标编号,如 O1、S3、T12.3")
    name = serializers.CharField(source="indicator.name")
    area = serializers.ChoiceField(source="indicator.area", choices=Area.choices)
    source_text = serializers.CharField(source="indicator.source_text", help_text="方案原文")
    target_text = serializers.CharField(source="indicator.target_text", help_text="原文中写明目标的部分")
    comparator = serializers.ChoiceField(source="indicator.comparator", choices=Comparator.choices, help_text="gte ≥;lte ≤")
    target = serializers.DecimalField(source="indicator.target", max_digits=14, decimal_places=4)
    measure = serializers.ChoiceField(source="indicator.measure", choices=Measure.choices, help_text="单位;cleared 为清零(剩余数 ≤ 0)")
    due_year = serializers.IntegerField(source="indicator.due_year", allow_null=True, help_text="目标年份;null 为常态化")
    task = serializers.SerializerMethodField(help_text="责任依据的任务编号(责任单位随其牵头单位)")
    units = serializers.SerializerMethodField(help_text="责任单位;空表示待区安委办指定")
    actual = serializers.DecimalField(max_digits=16, decimal_places=4, allow_null=True, help_text="截至所选周期审核通过的最新实际值(多个责任单位时合计)")
    as_of = serializers.CharField(help_text="最新实际值所属周期")
    status = serializers.ChoiceField(choices=[("met", "达标"), ("unmet", "未达标"), ("missing", "未报")])
    trend = serializers.SerializerMethodField(help_text="各周期实际值 [{period, actual}]")

    def get_task(self, row) -> str | None:
        return row.indicator.task.key if row.indicator.task_id else None

    def get_units(self, row) -> list[str]:
        return [u.name for u in row.units]

    def get_trend(self, row) -> list[dict]:
        return [{"period": code, "actual": str(value)} for code, value in row.trend]


class ValueWriteSerializer(serializers.Serializer):
    period = serializers.CharField(required=False, help_text="报送周期,如 2026Q4;省略为当前周期")
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="实际值(计数类:艘、个、家、起、清零剩余数)")
    numerator = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="比率类(%、人/亿元GDP)的分子")
    denominator = serializers.CharField(required=False, allow_blank=True, allow_null=True, help_text="比率类的分母")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)
    submit = serializers.BooleanField(required=False, default=True, help_text="false 保存为草稿")
    version = serializers.IntegerField(required=False, help_text="修改时给出上次看到的版本")


class ValueReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices, error_messages={
        "required": "请选择审核结论(approve 或 return)。", "invalid_choice": "审核结论应为 approve(通过)或 return(退回)。"})
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=TEXT_MAX)


class ValueCorrectSerializer(serializers.Serializer):
    value = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    numerator = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    denominator = serializers.CharField(required=False, allow_blank=True, allow_null=True)
    reason = serializers.CharField(error_messages={"required": "请填写更正理由。", "blank": "请填写更正理由。"})


def _campaign(raw) -> Campaign:
    campaigns = active_campaigns()
    if raw in (None, ""):
        campaign = campaigns.first()
        if campaign is None:
            raise NotFound("没有进行中的行动方案。")
        return campaign
    raw = str(raw)
    if not (raw.isascii() and raw.isdigit() and len(raw) < 18):
        raise ValidationError({"campaign": ["行动方案编号应为数字。"]})
    campaign = campaigns.filter(pk=int(raw)).first()
    if campaign is None:  # well-formed but unknown: 404, as everywhere in the API
        raise NotFound("没有这个进行中的行动方案。")
    return campaign


def _conflict(current: IndicatorValue) -> Response:
    return Response(
        {"detail": "这条实际值已被他人修改,您的内容尚未保存。", "code": "conflict",
         "current": IndicatorValueSerializer(current).data},
        status=status.HTTP_409_CONFLICT,
    )


INDICATOR_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="指标编号(id)")
VALUE_ID = OpenApiParameter("id", int, OpenApiParameter.PATH, description="实际值编号(id)")


@extend_schema(tags=["目标指标"])
class IndicatorListView(ApiView):
    pagination_class = None  # every indicator of the campaign (a few dozen): one list, not pages

    @extend_schema(
        summary="目标指标及最新实际值",
        description="方案写明的数字目标(原文、目标值、年份、责任单位),以及截至所选周期审核通过的最新实际值和达标情况。所有登录用户均可查看。",
        parameters=[
            OpenApiParameter("campaign", int, description="行动方案编号;省略时为最新开始的进行中方案"),
            OpenApiParameter("period", str, description="截至的周期,如 2026Q4;省略时为当前周期",
                             pattern=r"^\d{4}(Q[1-4]|-(0[1-9]|1[0-2]))$"),
        ],
        responses={200: PanelRowSerializer(many=True), 400: R400, 401: R401, 404: R404},
    )
    def get(self, request):
        campaign = _campaign(request.query_params.get("campaign"))
        code = (request.query_params.get("period") or "").strip()
        if code and not PERIOD_CODE.fullmatch(code):
            raise ValidationError({"period": ["报送周期应写作 2026Q4(季度)或 2026-11(月份)。"]})
        period = period_get(campaign, code) if code else period_current(campaign, timezone.localdate())
        if period is None:
            raise NotFound("没有这个报送周期。")
        rows = selectors.indicator_panel_rows(campaign=campaign, period=period)
        return Response(PanelRowSerializer(rows, many=True).data)


@extend_schema(tags=["目标指标"])
class IndicatorValuesView(ApiView):
    pagination_class = None  # one indicator's values: a few per period

    @extend_schema(
        summary="一项指标的实际值",
        description="区安委办和领导看到全部;联络员看到审核通过的和本单位的。",
        parameters=[INDICATOR_ID],
        responses={200: IndicatorValueSerializer(many=True), 401: R401, 404: R404},
    )
    def get(self, request, id):
        indicator = access.get_indicator(request.user, id)
        return Response(IndicatorValueSerializer(selectors.values_visible_to(request.user, indicator), many=True).data)

    @extend_schema(
        summary="报送实际值(责任单位联络员)",
        description=(
            "本单位为责任单位的联络员报送某周期的实际值。比率类(%、人/亿元GDP)给出 numerator 和 denominator,"
            "实际值由其计算(百分比不会超过 100);计数类给出整数 value。再次提交同一周期即修改(新版本)。"
        ),
        parameters=[INDICATOR_ID],
        request=ValueWriteSerializer,
        responses={201: IndicatorValueSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request, id):
        indicator = access.get_indicator(request.user, id)
        access.require_value_writer(request.user, indicator)
        serializer = ValueWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        code = data.get("period")
        period = period_get(indicator.campaign, code) if code else period_current(indicator.campaign, timezone.localdate())
        if period is None:
            raise ValidationError({"period": ["没有这个报送周期。"]})
        try:
            value = services.indicator_value_save(
                user=request.user, indicator=indicator, period=period, submit=data["submit"],
                expected_version=data.get("version"), ip_address=client_ip(request),
                data=services.ValueInput(
                    value=data.get("value"), numerator=data.get("numerator"), denominator=data.get("denominator"),
                    note=data["note"],
                ),
            )
        except ReportConflict as conflict:
            return _conflict(conflict.current)
        return Response(IndicatorValueSerializer(value).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["目标指标"])
class IndicatorValueReviewView(ApiView):
    @extend_schema(
        summary="审核实际值(区安委办)",
        parameters=[VALUE_ID], request=ValueReviewSerializer,
        responses={200: IndicatorValueSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request, id):
        access.require_office(request.user)
        value = access.get_value(request.user, id)
        serializer = ValueReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        value = services.indicator_value_review(
            user=request.user, value=value, ip_address=client_ip(request), **serializer.validated_data
        )
        return Response(IndicatorValueSerializer(value).data)


@extend_schema(tags=["目标指标"])
class IndicatorValueCorrectView(ApiView):
    @extend_schema(
        summary="更正已审核通过的实际值(区安委办,须填写理由)",
        parameters=[VALUE_ID], request=ValueCorrectSerializer,
        responses={200: IndicatorValueSerializer, 400: R400, 401: R401, 403: R403, 404: R404, 409: R409},
    )
    def post(self, request, id):
        access.require_office(request.user)
        value = access.get_value(request.user, id)
        serializer = ValueCorrectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        value = services.indicator_value_correct(
            user=request.user, value=value, reason=data["reason"], ip_address=client_ip(request),
            data=services.ValueInput(value=data.get("value"), numerator=data.get("numerator"), denominator=data.get("denominator")),
        )
        return Response(IndicatorValueSerializer(value).data)

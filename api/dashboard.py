"""`GET /api/v1/dashboard/?period=2026Q4[&campaign=ID|all]`: the JSON the dashboard page draws."""

from __future__ import annotations

from django.http import Http404
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response

from dashboard.caching import dashboard_data_cached
from dashboard.selectors import ScopeError, dashboard_scope
from reports.access import can_read_everything

from .base import ApiView

PERIOD_PATTERN = r"^([0-9]{4}(Q[1-4]|-[0-9]{2}))?$"  # empty: the default period


class CanReadDashboard(BasePermission):
    message = "总览仅限区安委办和领导查看。"

    def has_permission(self, request, view) -> bool:
        return can_read_everything(request.user)


class DashboardQuery(serializers.Serializer):
    period = serializers.RegexField(
        PERIOD_PATTERN, required=False, allow_blank=True, max_length=7,
        help_text="报送周期,如 2026Q4 或 2026-11;默认为最近一个已过截止日期的周期",
        error_messages={"invalid": "报送周期应形如 2026Q4 或 2026-11。", "max_length": "报送周期应形如 2026Q4 或 2026-11。"},
    )
    campaign = serializers.RegexField(
        r"^(all|[1-9][0-9]{0,8})?$", required=False, allow_blank=True, max_length=9,
        help_text="行动方案编号,或 all 表示全部进行中的方案",
        error_messages={"invalid": "行动方案参数应为编号或 all。", "max_length": "行动方案参数应为编号或 all。"},
    )


class DashboardAPIView(ApiView):
    permission_classes = [IsAuthenticated, CanReadDashboard]

    @extend_schema(
        summary="总览数据",
        description=(
            "任务、报送、按举措类别/主要任务/完成时限/单位的统计,趋势,清单和单位考核排名。"
            "全部数字由数据库汇总计算,页面图表使用同一份数据。仅区安委办和领导可用。"
            "全部方案(campaign=all)的总览由后台预先生成:generated_at 为生成时间,"
            "refreshing 为 true 表示数据此后有变化、最新总览正在后台生成。"
            "格式不对的参数返回 400;没有这个方案或周期返回 404。"
        ),
        parameters=[DashboardQuery],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="总览数据")},
    )
    def get(self, request):
        query = DashboardQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            scope = dashboard_scope(
                campaign_param=query.validated_data.get("campaign"),
                period_param=query.validated_data.get("period"),
                today=timezone.localdate(),
            )
        except ScopeError as error:
            raise Http404(str(error)) from error
        return Response(dashboard_data_cached(scope))

"""`GET /api/v1/dashboard/?period=2026Q4[&campaign=ID|all]`: the JSON the dashboard page draws."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reports.access import can_read_everything

from .caching import dashboard_data_cached
from .selectors import ScopeError, dashboard_scope


class CanReadDashboard(BasePermission):
    message = "总览仅限区安委办和领导查看。"

    def has_permission(self, request, view) -> bool:
        return can_read_everything(request.user)


class DashboardAPIView(APIView):
    permission_classes = [IsAuthenticated, CanReadDashboard]

    @extend_schema(
        summary="总览数据",
        description=(
            "任务、报送、按举措类别/主要任务/完成时限/单位的统计,趋势,清单和单位考核排名。"
            "全部数字由数据库汇总计算,页面图表使用同一份数据。仅区安委办和领导可用。"
            "全部方案(campaign=all)的总览由后台预先生成:generated_at 为生成时间,"
            "refreshing 为 true 表示数据此后有变化、最新总览正在后台生成。"
        ),
        parameters=[
            OpenApiParameter("period", OpenApiTypes.STR, description="报送周期,如 2026Q4;默认为最近一个已过截止日期的周期"),
            OpenApiParameter("campaign", OpenApiTypes.STR, description="行动方案编号,或 all 表示全部进行中的方案"),
        ],
        responses={
            200: OpenApiResponse(OpenApiTypes.OBJECT, description="总览数据"),
            400: OpenApiResponse(description="参数有误"),
            403: OpenApiResponse(description="无权查看"),
        },
    )
    def get(self, request):
        try:
            scope = dashboard_scope(
                campaign_param=request.query_params.get("campaign"),
                period_param=request.query_params.get("period"),
                today=timezone.localdate(),
            )
        except ScopeError as error:
            return Response({"detail": str(error)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(dashboard_data_cached(scope))

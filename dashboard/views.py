"""Pages: the dashboard (总览), the rollups list with downloads, the comparison of two rollups."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from audit.net import client_ip
from reports.access import is_office
from reports.status import Rag, TaskState
from tasks.links import task_path
from tasks.models import Campaign
from tasks.selectors import active_campaigns

from .access import get_rollup, require_dashboard_reader
from .caching import dashboard_data_cached
from .circular import circular_filename, circular_title
from .models import Rollup
from .rollups import PROGRESS_LABELS, REPORTING_LABELS, rollup_compare, rollup_filename
from .selectors import ScopeError, dashboard_scope
from .services import DOCX_TYPE, XLSX_TYPE, RollupError, rollup_request

CHART_KEYS = ("by_rag", "by_category", "by_deadline", "by_measure", "trend")  # read by static/js/dashboard.js


@login_required
def dashboard_page(request):
    require_dashboard_reader(request.user)
    campaigns = active_campaigns()
    try:
        scope = dashboard_scope(
            campaign_param=request.GET.get("campaign"),
            period_param=request.GET.get("period"),
            today=timezone.localdate(),
        )
    except ScopeError as error:
        return render(request, "dashboard/dashboard.html", {"error": str(error), "campaigns": campaigns}, status=400)
    data = dashboard_data_cached(scope)
    return render(
        request,
        "dashboard/dashboard.html",
        {
            "data": data,
            # Only what the charts draw goes into the page as JSON; the tables are HTML already.
            "chart_data": {key: data[key] for key in CHART_KEYS},
            "scope": scope,
            "campaigns": campaigns,
            "is_office": is_office(request.user),
        },
    )


@login_required
def rollup_list(request):
    require_dashboard_reader(request.user)
    rollups = Rollup.objects.select_related("campaign", "period", "created_by").order_by(
        "campaign", "-period__start", "-version"
    )
    campaigns = list(active_campaigns().prefetch_related("periods"))
    return render(
        request,
        "dashboard/rollup_list.html",
        {"rollups": rollups, "campaigns": campaigns, "is_office": is_office(request.user)},
    )


@login_required
@require_POST
def rollup_build_request(request):
    """The office asks for a rollup now; it is built by the worker (or by tomorrow's daily job)."""
    campaign = Campaign.objects.filter(pk=request.POST.get("campaign") or 0).first() if (
        request.POST.get("campaign", "").isdigit()
    ) else None
    if campaign is None:
        messages.error(request, "请选择行动方案。")
        return redirect("dashboard:rollups")
    period_code = (request.POST.get("period") or "").strip()[:10]
    try:
        queued = rollup_request(
            user=request.user, campaign=campaign, period_code=period_code, ip_address=client_ip(request)
        )
    except RollupError as error:
        messages.error(request, str(error))
        return redirect("dashboard:rollups")
    if queued:
        messages.success(request, f"已开始生成 {period_code} 季度汇总,稍后刷新本页即可下载。")
    else:
        messages.warning(
            request,
            "后台任务服务暂时不可用,汇总未能立即生成;系统每天早上会自动补生成已过报送截止日期的周期汇总,"
            "也可稍后再试。",
        )
    return redirect("dashboard:rollups")


def _rollup_file(request, pk: int, *, field: str, content_type: str, filename, missing: str, lost: str):
    """Stream one of a rollup's stored files (workbook or circular) with its Chinese file name."""
    rollup = get_rollup(request.user, pk)
    stored = getattr(rollup, field)
    if not stored:
        raise Http404(missing)
    try:
        handle = stored.open("rb")
    except FileNotFoundError as error:
        raise Http404(lost) from error
    response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, filename(rollup))
    return response


@login_required
def rollup_download(request, pk: int):
    return _rollup_file(
        request, pk, field="xlsx", content_type=XLSX_TYPE, filename=rollup_filename,
        missing="这份汇总没有工作簿文件。", lost="汇总文件不存在。",
    )


@login_required
def rollup_detail(request, pk: int):
    """The printable rollup: the frozen summaries and every task row (two queries whatever the size)."""
    rollup = get_rollup(request.user, pk)
    states, rags = dict(TaskState.choices), dict(Rag.choices)
    rows = [
        {
            "row": row,
            "state": states.get(row.state, row.state),
            "rag": rags.get(row.rag, row.rag),
            "progress": PROGRESS_LABELS.get(row.progress_status, ""),
            "reporting": REPORTING_LABELS.get(row.reporting, row.reporting),
            "url": _task_link(rollup.campaign_id, row.task_key),
        }
        for row in rollup.rows.all()
    ]
    return render(
        request,
        "dashboard/rollup_detail.html",
        {"rollup": rollup, "s": rollup.snapshot, "rows": rows, "circular_title": circular_title(rollup.period.label)},
    )


def _task_link(campaign_id: int, key: str) -> str:
    """The task page of a frozen rollup row (named by campaign and key), or "" for a malformed key."""
    try:
        return task_path("reports:task_detail", campaign_id=campaign_id, key=key)
    except NoReverseMatch:
        return ""


@login_required
def rollup_circular_download(request, pk: int):
    """The draft circular (通报) of a rollup, as .docx with a Chinese file name."""
    return _rollup_file(
        request, pk, field="docx", content_type=DOCX_TYPE, filename=circular_filename,
        missing="这份汇总没有通报稿。", lost="通报稿文件不存在。",
    )


@login_required
def rollup_compare_page(request):
    require_dashboard_reader(request.user)
    ids = [request.GET.get("a", ""), request.GET.get("b", "")]
    rollups = Rollup.objects.select_related("campaign", "period")
    choices = rollups.order_by("campaign", "-period__start", "-version")
    if not all(i.isdigit() for i in ids):
        return render(request, "dashboard/rollup_compare.html", {"choices": choices, "error": "请选择两份汇总进行比较。" if any(ids) else ""})
    found = {r.pk: r for r in rollups.filter(pk__in=[int(i) for i in ids])}
    a, b = found.get(int(ids[0])), found.get(int(ids[1]))
    if a is None or b is None:
        return render(request, "dashboard/rollup_compare.html", {"choices": choices, "error": "没有这份汇总。"}, status=404)
    return render(
        request,
        "dashboard/rollup_compare.html",
        {"choices": choices, "a": a, "b": b, "comparison": rollup_compare(a, b)},
    )

"""Pages: the dashboard (总览), the rollups list with downloads, the comparison of two rollups."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.template.loader import render_to_string
from django.utils.functional import SimpleLazyObject
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods, require_POST

from audit.net import client_ip
from indicators.selectors import indicator_panel_for
from indicators.stages import stages_for
from reports import access
from reports.access import is_office, require_office
from reports.status import Rag, TaskState
from tasks.campaign_choice import campaign_for_request
from tasks.links import task_path
from tasks.models import Campaign
from tasks.selectors import active_campaigns
from yinzhou_campaign.kept_pages import CSRF_PLACEHOLDER, page_around

from .access import get_rollup, require_dashboard_reader
from .assessment import COMPONENTS, assessment_annual
from .caching import campaign_page_body, campaign_page_figures, dashboard_data_cached
from .circular import CircularOptions, circular_filename, circular_title
from .forms import CircularIssueForm
from .models import Rollup
from .rollups import PROGRESS_LABELS, REPORTING_LABELS, annual_rollups, rollup_compare, rollup_filename, rollup_label
from .selectors import ScopeError, dashboard_scope, weights_get
from .services import DOCX_TYPE, XLSX_TYPE, RollupError, circular_issue, rollup_request
from .weights import WEIGHT_FIELDS, WeightsForm, weights_set
from .workbooks import assessment_workbook

CHART_KEYS = ("by_rag", "by_category", "by_deadline", "by_measure", "trend")  # read by static/js/dashboard.js


BODY_TEMPLATE = "dashboard/partials/dashboard_body.html"


@login_required
def dashboard_page(request):
    require_dashboard_reader(request.user)
    campaign_param = (request.GET.get("campaign") or "").strip()
    if campaign_param != "all":
        # One campaign: the same choice as every single-campaign page (?campaign= remembered,
        # else the user's remembered one, else the newest); a bad id keeps its 400 below.
        chosen = campaign_for_request(request)
        if chosen.campaign is not None and not chosen.error:
            return _one_campaign_page(request, chosen)
    campaigns = active_campaigns()
    try:
        scope = _scope(request, campaign_param)
    except ScopeError as error:
        return _scope_error(request, error, campaigns)
    return _all_campaigns_page(request, scope, campaigns)


def _scope(request, campaign_param: str):
    return dashboard_scope(
        campaign_param=campaign_param, period_param=request.GET.get("period"), today=timezone.localdate()
    )


def _scope_error(request, error: ScopeError, campaigns):
    context = {"error": str(error), "campaigns": campaigns}
    return _page(request, render_to_string(BODY_TEMPLATE, context), context, status=400)


def _page(request, body: str | bytes, context: dict, status: int = 200):
    """The page around its content block (rendered apart: see dashboard/partials/dashboard_body.html)."""
    body = body if isinstance(body, bytes) else body.encode()
    return page_around(request, "dashboard/dashboard.html", context, body, status=status)


def _body_context(request, scope, campaigns, data: dict, heatmap: dict | None, chase: dict | None) -> dict:
    indicator_panel = stages = None
    if scope.campaign is not None:
        # 目标指标 (issue 17): one campaign only.
        indicator_panel = indicator_panel_for(campaign=scope.campaign, period_code=scope.period_code)
        stages = stages_for(scope.campaign, scope.today)
    return {
        "data": data,
        # Only what the charts draw goes into the page as JSON; the tables are HTML already.
        "chart_data": {key: data[key] for key in CHART_KEYS},
        "scope": scope,
        # Not in dashboard_data (the API's and the stored overview's): one campaign only.
        "heatmap": heatmap,
        "campaigns": campaigns,
        "is_office": is_office(request.user),
        "chase": chase,
        "indicator_panel": indicator_panel,
        "stages": stages,
        "request": request,
    }


def _all_campaigns_page(request, scope, campaigns):
    data = dashboard_data_cached(scope)
    context = _body_context(request, scope, campaigns, data, None, None)
    return _page(request, render_to_string(BODY_TEMPLATE, context), context)


def _one_campaign_page(request, chosen):
    """One campaign: the content block is kept per data fingerprint (dashboard.caching.campaign_page_body).

    What differs between readers is in the key (office or not, the address with its campaign
    and period, the campaigns of the selector, the date); the one per-request value, the CSRF
    token of the 催报 forms, is written in after the kept HTML is read. A kept page needs no
    scope: the scope (and a 400 for a bad period) is computed only when the page is rendered.
    """
    office = is_office(request.user)
    campaigns = chosen.campaigns  # the active campaigns, as active_campaigns() lists them
    scope = functools.cache(lambda: _scope(request, str(chosen.campaign.pk)))
    figures = functools.cache(lambda: campaign_page_figures(scope()))

    def render_body() -> str:
        data, heatmap = figures()
        chase = _chase_buttons(request, scope(), csrf_token=CSRF_PLACEHOLDER) if office else None
        return render_to_string(BODY_TEMPLATE, _body_context(request, scope(), campaigns, data, heatmap, chase))

    variant = "|".join([
        "office" if office else "reader",
        request.get_full_path(),
        ",".join(f"{c.pk}:{c.short_name or c.name}" for c in campaigns),
    ])
    try:
        body = campaign_page_body(chosen.campaign, period_param=request.GET.get("period") or "",
                                  today=timezone.localdate(), variant=variant, render=render_body)
    except ScopeError as error:
        return _scope_error(request, error, campaigns)
    context = {"campaigns": campaigns, "scope": SimpleLazyObject(scope),
               "data": SimpleLazyObject(lambda: figures()[0]), "heatmap": SimpleLazyObject(lambda: figures()[1])}
    return _page(request, body, context)


def _chase_buttons(request, scope, *, csrf_token: str) -> dict:
    """For the office on one campaign: what each unit row's 催报 button posts (reminders' chase page)."""
    return {
        "action": reverse("reminders:chase"), "csrf_token": csrf_token, "campaign": scope.campaign.pk,
        "period": scope.period_code, "next": request.get_full_path(),
    }


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
        {"rollup": rollup, "s": rollup.snapshot, "rows": rows, "circular_title": circular_title(rollup.period.label),
         "component_keys": [key for key, _, _ in COMPONENTS]},
    )


def _task_link(campaign_id: int, key: str) -> str:
    """The task page of a frozen rollup row (named by campaign and key), or "" for a malformed key."""
    try:
        return task_path("reports:task_detail", campaign_id=campaign_id, key=key)
    except NoReverseMatch:
        return ""


@login_required
@require_http_methods(["GET", "POST"])
def rollup_circular_issue(request, pk: int):
    """The office fills in the 文号 (and 主送, 抄送, 印发) and downloads the circular as issued."""
    require_office(request.user)
    rollup = get_rollup(request.user, pk)
    today = timezone.localdate()
    defaults = CircularOptions.defaults()
    initial = {"year": today.year, "issued_on": today, "recipients": defaults.recipients, "cc": defaults.cc,
               "printer": defaults.printer}
    form = CircularIssueForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        content, filename = circular_issue(user=request.user, rollup=rollup, ip_address=client_ip(request),
                                           **form.cleaned_data)
        response = HttpResponse(content, content_type=DOCX_TYPE)
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response
    return render(
        request, "dashboard/circular_issue.html",
        {"rollup": rollup, "form": form, "title": circular_title(rollup.period.label)},
        status=400 if request.method == "POST" else 200,
    )


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


# --- 系统管理 · 考核权重 ----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@login_required
def weights_page(request):
    access.require_office(request.user)
    current = weights_get()
    form = WeightsForm(request.POST or None, initial={n: getattr(current, n) for n in [*WEIGHT_FIELDS, "note"]})
    if request.method == "POST" and form.is_valid():
        weights_set(by=request.user, values=form.cleaned_data, ip_address=client_ip(request))
        messages.success(request, "已保存考核权重,总览和考核排名随即按新权重计算。")
        return redirect("dashboard:weights")
    return render(request, "system/weights.html", {"form": form, "weights": current})


# --- 考核 ranking as Excel (the dashboard's table, same scope and columns) -------------------------

RANKING_HEADERS = ["名次", "单位", "得分", "按时报送率", "按期完成率", "未被退回率", "督办按时答复率"]
RANKING_PARTS = ["reporting", "completion", "returns", "supervision"]


@login_required
def ranking_export(request):
    from tasks.excel.lists import list_response

    from .templatetags.dashboard_tags import component_text

    require_dashboard_reader(request.user)
    try:
        scope = dashboard_scope(campaign_param=request.GET.get("campaign"), period_param=request.GET.get("period"),
                                today=timezone.localdate())
    except ScopeError as error:
        return _scope_error(request, error, active_campaigns())
    data = dashboard_data_cached(scope)
    rows = ([r["rank"], r["name"], r["score"], *(component_text(r["components"][part]) for part in RANKING_PARTS)]
            for r in data["assessment"]["ranking"])
    detail = "、".join(filter(None, [str(scope.campaign) if scope.campaign else "全部行动", data["period"]["label"]]))
    return list_response(what="单位考核排名", day=timezone.localdate(), detail=detail,
                         title=f"单位考核排名({detail})  {data['assessment']['formula']}",
                         headers=RANKING_HEADERS, rows=rows, widths=[6, 26, 10, 16, 16, 16, 16])
@login_required
def rollup_assessment(request, pk: int):
    """A rollup's frozen ranking (考核排名) as .xlsx."""
    rollup = get_rollup(request.user, pk)
    label = rollup_label(rollup.campaign, rollup.period, rollup.version, preview=rollup.preview)
    content = assessment_workbook(title=f"{label}考核排名", assessment=rollup.snapshot.get("assessment") or {})
    return _xlsx_response(content, f"{label}考核排名.xlsx")


@login_required
def assessment_annual_page(request):
    """The annual total of a campaign year, from the final rollups of its periods; `?format=xlsx` downloads it."""
    require_dashboard_reader(request.user)
    campaigns = list(Campaign.objects.order_by("-start_date", "id"))
    campaign_param = request.GET.get("campaign", "")
    campaign = next((c for c in campaigns if str(c.pk) == campaign_param), campaigns[0] if campaigns else None)
    years = list(range(campaign.start_date.year, campaign.end_date.year + 1)) if campaign else []
    year_param = request.GET.get("year", "")
    year = int(year_param) if year_param.isdigit() and int(year_param) in years else (
        min(max(years), timezone.localdate().year) if years else None
    )
    rollups = annual_rollups(campaign, year) if campaign else []
    annual = assessment_annual(rollups, weights_get())
    title = f"{campaign.short_name or campaign.name}{year}年度考核排名" if campaign else "年度考核排名"
    if request.GET.get("format") == "xlsx":
        return _xlsx_response(assessment_workbook(title=title, assessment=annual), f"{title}.xlsx")
    return render(request, "dashboard/assessment_annual.html", {
        "campaigns": campaigns, "campaign": campaign, "years": years, "year": year, "rollups": rollups,
        "annual": annual, "title": title, "component_keys": [key for key, _, _ in COMPONENTS],
    })


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response

"""Pages of progress reporting and review. Thin: access helper → form → service → redirect/render."""

from __future__ import annotations

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_http_methods, require_POST

from audit.net import client_ip
from tasks.campaign_choice import campaign_for_request
from tasks.links import task_url
from tasks.models import AssignmentRole
from tasks.selectors import active_campaigns
from yinzhou_campaign.actions import next_url
from yinzhou_campaign.kept_pages import CSRF_PLACEHOLDER, kept_html, page_around

from . import access, obligations, previews, selectors, services
from .attachments import attachment_file_response
from .caching import cached_fragment, data_fingerprint
from .forms import MissingReportsFilterForm, MyTaskFilterForm, ReportForm, ReviewForm, ReviewQueueFilterForm, TaskStatusFilterForm
from .models import ProgressReport, ReportState
from .services import ReportConflict, ReportInput, ReportLocked
from .status import DUE_SOON_DAYS, ReportingState, TaskState

REVIEW_PAGE_SIZE = 50
BATCH_MAX = 200  # reports approved in one batch (the queue shows 50 a page)


def _today():
    return timezone.localdate()


def _no_campaign(request):
    return render(request, "tasks/no_campaign.html")


def _add_service_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for name, errors in error.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


def _valid_filters(form) -> dict:
    """The filters that are valid: a partly bad query (?rag=red&unit=abc) keeps its good part."""
    form.is_valid()
    return {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}


def _filter_key(filters: dict) -> list:
    """The filters as a cache key's part: a chosen unit by its id."""
    return sorted((name, getattr(value, "pk", value)) for name, value in filters.items())


def _filters_cached(request, name: str, parts: list, make_form, fingerprint: str, **template_context) -> tuple[dict, str]:
    """A list page's valid filters and its rendered filter form, cached per query string.

    The form's choices (measures, deadlines, units — 300 options at city scale) come from the
    data and its rendering was a third of a cached list page's time; both depend only on the
    query and the data, so they are kept under reports.caching's fingerprint like the rows."""

    def build() -> dict:
        form = make_form()
        filters = _valid_filters(form)
        context = {"form": form, "request": request, **template_context}
        return {"filters": filters, "html": render_to_string("reports/partials/filter_form.html", context)}

    stored = cached_fragment(name, [*parts, request.path, sorted(request.GET.lists())], build, fingerprint)
    return dict(stored["filters"]), stored["html"]


@login_required
def home(request):
    """Liaisons land on their tasks, the office on the review queue, leaders (viewers) on 总览."""
    user = request.user
    if access.is_office(user):
        return redirect("reports:review_queue")
    if access.is_liaison(user):
        return redirect("reports:my_tasks")
    if access.can_read_everything(user):
        return redirect("dashboard:page")
    return redirect("reports:task_list")


# 我的任务 shows every campaign the unit has duties in up to this many, then pages through them.
MY_TASKS_CAMPAIGNS_PER_PAGE = 3
MY_TASKS_KEYS = (
    "earlier", "supervised_anchor", "groups", "several", "period", "supervised", "lead_tasks", "support_tasks",
    "signed_off", "action_count", "not_reported_count", "returned_count", "supervision_count",
)


@login_required
def my_tasks(request):
    """The unit's tasks in every active campaign it has a duty in, each against its own current period."""
    access.require_liaison(request.user)
    today = _today()
    fingerprint = data_fingerprint()
    # Which campaigns the unit has duties in: the same until the data or the date changes.
    campaigns = cached_fragment(
        "my_tasks_campaigns", [request.user.unit_id, today],
        lambda: selectors.unit_campaigns(request.user.unit), fingerprint,
    )
    if not campaigns and not active_campaigns().exists():
        return _no_campaign(request)

    def make_form():
        return MyTaskFilterForm(request.GET or None, campaigns=campaigns)

    filters, form_html = _filters_cached(
        request, "my_tasks_filters", [[c.pk for c in campaigns]], make_form, fingerprint
    )
    campaign_page, pager_query = None, ""
    if chosen := filters.pop("campaign", None):
        campaigns = [c for c in campaigns if c.pk == chosen]
    elif len(campaigns) > MY_TASKS_CAMPAIGNS_PER_PAGE:
        # A unit with duties in many active campaigns (a city's deployment) sees a few at a time:
        # thousands of tasks on one page help nobody and cost seconds to send (issue 20).
        campaign_page = Paginator(campaigns, MY_TASKS_CAMPAIGNS_PER_PAGE).get_page(request.GET.get("page"))
        campaigns = list(campaign_page.object_list)
        pager_query = _query_without_page(request)
    data = functools.cache(  # once per request
        lambda: {**_my_tasks_data(request.user, campaigns, today, filters), "page": campaign_page, "query": pager_query}
    )

    def fragments():
        context = {**data(), "user": request.user}
        return {name: render_to_string(f"reports/partials/my_tasks_{name}.html", context) for name in ("summary", "body")}

    # The unit's lists, rendered once per change of the data (reports.caching): keyed by the unit.
    key = [request.user.unit_id, today, [c.pk for c in campaigns], _filter_key(filters), pager_query,
           campaign_page.number if campaign_page else None]
    context = {
        "form": SimpleLazyObject(make_form),  # not read by the template (form_html)
        "form_html": form_html,
        "filtered": bool(filters) or bool(chosen),
        "fragments": cached_fragment("my_tasks", key, fragments, fingerprint),
        # Not read by the template: for code that wants the lists (computed only when read).
        **{name: SimpleLazyObject(lambda name=name: data()[name]) for name in MY_TASKS_KEYS},
    }
    return render(request, "reports/my_tasks.html", context)


def _query_without_page(request) -> str:
    """The query string for page links: the filters kept, the page number left to the link."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _my_tasks_data(user, campaigns, today, filters) -> dict:
    """What 我的任务 lists and counts (MY_TASKS_KEYS)."""
    periods = selectors.campaign_periods(campaigns, today)
    groups = selectors.my_tasks(user=user, campaigns=campaigns, today=today, periods=periods, **filters)
    # Earlier periods still open: their returned and draft reports come first, with their period.
    earlier = selectors.earlier_open_reports(
        unit=user.unit, campaigns=campaigns, periods=periods,
        report=filters.get("report"), q=filters.get("q", ""),
    )
    earlier_returned = sum(1 for r in earlier if r.state == ReportState.RETURNED)
    every = [t for g in groups for t in g.tasks]
    open_tasks = [t for t in every if t.state != TaskState.SIGNED_OFF]
    supervised_group = next((g for g in groups if g.supervised), None)
    return {
        "earlier": earlier,
        "supervised_anchor": f"supervised-{supervised_group.campaign.pk}" if supervised_group else "",
        "groups": groups,
        "several": len(groups) > 1,
        "period": groups[0].period if len(groups) == 1 else None,
        # Across every campaign: the counts at the top, and the lists tests and links read.
        "supervised": [t for g in groups for t in g.supervised],
        "lead_tasks": [t for g in groups for t in g.lead_tasks],
        "support_tasks": [t for g in groups for t in g.support_tasks],
        "signed_off": [t for g in groups for t in g.signed_off],
        "action_count": sum(1 for t in every if t.needs_action) + len(earlier),
        "not_reported_count": sum(
            1 for t in open_tasks if t.my_report_state in (ReportingState.NOT_REPORTED, ReportingState.DRAFT)
        ) + len(earlier) - earlier_returned,
        "returned_count": sum(1 for t in open_tasks if t.my_report_state == ReportingState.RETURNED)
        + earlier_returned,
        "supervision_count": sum(1 for t in open_tasks if t.open_supervision),
    }


@login_required
def task_list(request):
    """The whole task list (everyone reads it) with the computed state and RAG mark."""
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    if campaign is None:
        return _no_campaign(request)
    today = _today()
    fingerprint = data_fingerprint()

    def make_form():
        return TaskStatusFilterForm(request.GET or None, campaign=campaign)

    filters, form_html = _filters_cached(
        request, "task_list_filters", [campaign.pk], make_form, fingerprint,
        page_campaign=chosen, placeholder="任务内容、编号或单位",
    )

    def tasks():
        periods = selectors.period_context(campaign, today)
        return selectors.task_list_with_status(
            campaign=campaign, today=today, last_due_period=periods.last_due, **filters
        )

    def table():
        rows = tasks()
        return {"html": render_to_string("reports/partials/task_status_table.html", {"tasks": rows}), "count": len(rows)}

    # The rows are the same for every reader: rendered once per change of the data (reports.caching).
    table = cached_fragment("task_list", [campaign.pk, today, _filter_key(filters)], table, fingerprint)
    export_query = request.GET.copy()  # the Excel download keeps the filters and the campaign
    export_query["campaign"] = campaign.pk
    context = {
        "campaign": campaign, "page_campaign": chosen, "table": table,
        "form": SimpleLazyObject(make_form), "form_html": form_html,  # the template shows form_html
        "chooser_html": _campaign_chooser(request, chosen, fingerprint),
        "tasks": SimpleLazyObject(tasks),  # not read by the template: for code that wants the rows
        "export_query": export_query.urlencode(),
    }
    return render(request, "reports/task_list.html", context)


def _campaign_chooser(request, chosen, fingerprint: str) -> str:
    """partials/campaign_chooser.html for this page and choice (one link per active campaign: 100
    at city scale, the largest part of a cached 任务清单), stored like the rows; a message about a
    bad choice is rendered afresh."""

    def render_chooser() -> str:
        return render_to_string("partials/campaign_chooser.html", {"page_campaign": chosen, "request": request})

    if chosen.error:
        return render_chooser()
    parts = [request.path, chosen.campaign.pk, [c.pk for c in chosen.campaigns]]
    return cached_fragment("campaign_chooser", parts, render_chooser, fingerprint)


@login_required
def task_legacy_redirect(request, key, to, **kwargs):
    """An old key-only task URL (e-mails, robot messages): to the newest active campaign's task."""
    task = access.get_task(request.user, key)
    url = task_url(to, task, *kwargs.values())
    if request.GET:
        url += "?" + request.GET.urlencode()
    # A form's POST (from a page opened before the change) stays a POST: 307 instead of 302.
    return HttpResponseRedirect(url, preserve_request=request.method not in ("GET", "HEAD"))


@login_required
def task_detail(request, campaign_id, key):
    task = access.get_task(request.user, key, campaign_id=campaign_id)
    today = _today()
    periods = selectors.period_context(task.campaign, today)
    task = selectors.task_for_page(task, today=today, periods=periods)
    user = request.user
    can_view = access.can_view_reports(user, task)
    my_role = access.unit_role_on_task(task, user.unit) if access.is_liaison(user) else None
    period_reports = (
        selectors.task_reports_by_period(task, viewer_unit=user.unit if my_role else None) if can_view else []
    )
    report_ids = [r.pk for group in period_reports for r in group.lead + group.support]
    context = {
        "task": task,
        "campaign": task.campaign,
        "resp": selectors.task_responsibility(task, periods=periods, viewer_unit=user.unit if my_role else None),
        "is_office": access.is_office(user),
        "can_view_reports": can_view,
        "my_role": my_role,
        "current_period": periods.current,
        "period_reports": period_reports,
        "history": selectors.task_history(task, include_reports=can_view, report_ids=report_ids),
    }
    return render(request, "reports/task_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_form(request, campaign_id, key, period_code=None):
    user = request.user
    task = access.get_task(user, key, campaign_id=campaign_id)
    role = access.require_report_writer(user, task)
    periods = selectors.period_context(task.campaign, _today())
    period = periods.current if period_code is None else periods.get(period_code)
    if period is None:
        raise Http404("没有这个报送周期")
    report = (
        ProgressReport.objects.filter(task=task, unit=user.unit, period=period).prefetch_related("attachments").first()
    )
    conflict = None
    if request.method == "POST":
        submit = request.POST.get("action") == "submit"
        form = ReportForm(request.POST, request.FILES, task=task, submit=submit, report=report)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.report_save(
                    user=user,
                    task=task,
                    period=period,
                    data=ReportInput(
                        status=data["status"],
                        percent=data.get("percent"),
                        progress=data["progress"],
                        problems=data["problems"],
                        next_steps=data["next_steps"],
                    ),
                    submit=submit,
                    # No version in the form means the writer saw no report: one appearing since is a conflict.
                    expected_version=data.get("version") or 0,
                    files=data["attachments"],
                    ip_address=client_ip(request),
                )
            except ReportConflict as error:
                conflict = error.current
                kept = request.POST.copy()
                kept["version"] = str(conflict.version)
                form = ReportForm(kept, task=task, submit=submit)  # the writer's text, now based on the current version
                messages.error(request, "保存失败:这份报送在您填写期间已被他人修改。您填写的内容保留在下方,请对照当前已保存的内容修改后再保存。")
            except ReportLocked as error:
                messages.error(request, " ".join(error.messages))
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                messages.success(request, "已报送,等待区安委办审核。" if submit else "草稿已保存。")
                return redirect(task)
        if request.FILES and not conflict:
            messages.warning(request, "为安全起见,附件需要重新选择。")
    else:
        initial = {"status": "in_progress"}
        if report is not None:
            initial = {f: getattr(report, f) for f in ("status", "percent", "progress", "problems", "next_steps")}
            initial["version"] = report.version
        form = ReportForm(initial=initial, task=task)
    if conflict is not None:
        report = conflict
    context = {
        "task": task,
        "period": period,
        "periods": periods.periods,
        "role": role,
        "report": report,
        "form": form,
        "conflict": conflict,
        "lock_reason": services.report_lock_reason(report, period),
        "contributions": selectors.support_contributions(task, period) if role == AssignmentRole.LEAD else [],
    }
    return render(request, "reports/report_form.html", context)


@login_required
def attachment_download(request, attachment_id):
    attachment = access.get_attachment(request.user, attachment_id)
    return attachment_file_response(attachment, inline=False)


# A PDF or picture shown by the browser itself. Its own policy: nothing of ours runs in it, and
# Chromium's PDF viewer is a plugin frame, which the site's `object-src 'none'` would block
# (the page would stay blank); only our own pages may frame it.
INLINE_CSP = "default-src 'none'; img-src 'self'; object-src 'self'; frame-ancestors 'self'"


@login_required
@xframe_options_sameorigin
def attachment_view(request, attachment_id):
    """Evidence opened in the browser's own viewer (PDF, images); other types are downloaded."""
    attachment = access.get_attachment(request.user, attachment_id)
    if not previews.shows_inline(attachment):
        return attachment_file_response(attachment, inline=False)
    response = attachment_file_response(attachment, inline=True)
    response["Content-Security-Policy"] = INLINE_CSP
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def attachment_thumbnail(request, attachment_id):
    attachment = access.get_attachment(request.user, attachment_id)
    data = previews.attachment_thumbnail(attachment)
    if data is None:
        raise Http404("没有缩略图")
    response = HttpResponse(data, content_type="image/jpeg")
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _queue(query, campaign):
    """The review queue's filter form and reports for a query string (the queue page's own, or
    the one a report page carries so that "next" follows the same filters)."""
    periods = selectors.period_context(campaign, _today())
    form = ReviewQueueFilterForm(query or None, periods=periods.periods)
    data = form.cleaned_data if form.is_valid() else {}
    reports = selectors.review_queue(
        campaign=campaign,
        period=periods.get(data.get("period")),
        state=form.state_value() if form.is_bound else "submitted",
        unit=data.get("unit"),
    )
    return form, reports


def _queue_query(query, campaign) -> str:
    """The queue's filters (no page) with its campaign, carried by the links to each report."""
    query = query.copy()
    query.pop("page", None)
    query["campaign"] = campaign.pk
    return query.urlencode()


# What the review queue shows: when none of these tables has a new row (nor the audit log, which
# every change of a report's state writes to), the kept page is still right (kept_pages).
REVIEW_QUEUE_READS = (
    "audit.AuditEntry", "admin.LogEntry", "tasks.Campaign", "tasks.Task", "departments.Unit",
    "reports.ReportingPeriod", "reports.ProgressReport", "reports.ReportVersion", "reports.ReportReview",
)


@login_required
def review_queue(request):
    """The office's queue. Its content is the same for every office user, so it is kept per data
    fingerprint, campaign choice, address and date (yinzhou_campaign.kept_pages, issue 20)."""
    access.require_office(request.user)
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    if campaign is None:
        return _no_campaign(request)
    parts = _review_queue_parts(request, campaign)

    def render_body() -> str:
        return render_to_string(
            "reports/partials/review_queue_body.html",
            {**parts(), "page_campaign": chosen, "request": request, "csrf_token": CSRF_PLACEHOLDER},
        )

    variant = (
        campaign.pk, request.get_full_path(), _today().isoformat(), chosen.error,
        [(c.pk, c.short_name, c.name) for c in chosen.campaigns] if chosen.show_chooser else "",
    )
    body = kept_html("reports:review_queue", variant, models=REVIEW_QUEUE_READS, render=render_body)
    # The view's figures stay readable (lazily) for whoever inspects the response's context.
    context = {"campaign": campaign, "page_campaign": chosen,
               **{key: SimpleLazyObject(lambda key=key: parts()[key]) for key in ("form", "page", "reports")}}
    return page_around(request, "reports/review_queue.html", context, body)


def _review_queue_parts(request, campaign):
    """The queue's form, page and reports, computed once and only when needed."""
    @functools.cache
    def parts() -> dict:
        form, reports = _queue(request.GET, campaign)
        page = Paginator(reports, REVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
        return {
            "form": form, "page": page, "reports": page.object_list, "campaign": campaign,
            "query": _query_without_page(request), "queue_query": _queue_query(request.GET, campaign),
            "batch_max": BATCH_MAX,
        }

    return parts


def _query_without_page(request) -> str:
    """The filters of the current URL, for the page links to keep them."""
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _batch_versions(values: list[str]) -> dict[int, int] | None:
    """The ticked reports, each "id:version" (the version the reviewer saw); None if malformed."""
    versions = {}
    for value in values:
        pk, _, version = value.partition(":")
        if not (pk.isdigit() and version.isdigit() and len(pk) <= 18 and len(version) <= 9):
            return None
        versions[int(pk)] = int(version)
    return versions


@login_required
@require_POST
def review_batch(request):
    """Approve the ticked reports of the queue in one go (returns stay one by one, with a reason)."""
    access.require_office(request.user)
    back = next_url(request, reverse("reports:review_queue"))
    versions = _batch_versions(request.POST.getlist("report"))
    if versions is None:
        messages.error(request, "所选报送有误,请刷新页面后重新勾选。")
        return redirect(back)
    if not versions:
        messages.error(request, "请先勾选要审核通过的报送。")
        return redirect(back)
    if len(versions) > BATCH_MAX:
        messages.error(request, f"一次最多批量通过 {BATCH_MAX} 份报送。")
        return redirect(back)
    result = services.report_approve_many(user=request.user, versions=versions, ip_address=client_ip(request))
    if result.approved:
        messages.success(request, f"已审核通过 {len(result.approved)} 份报送。")
    if result.skipped:
        named = ";".join(f"{r.task.key} {r.unit.name}({why})" for r, why in result.skipped)
        messages.warning(request, f"{len(result.skipped)} 份未通过,已跳过:{named}。")
    return redirect(back)


def _next_in_queue(report, query) -> int | None:
    """The report after this one in the queue with the same filters (wrapping round), or None."""
    _form, reports = _queue(query, report.task.campaign)
    others = reports.exclude(pk=report.pk)
    if report.submitted_at is not None:
        after = others.filter(
            Q(submitted_at__gt=report.submitted_at) | Q(submitted_at=report.submitted_at, pk__gt=report.pk)
        )
        if (pk := after.values_list("pk", flat=True).first()) is not None:
            return pk
    return others.values_list("pk", flat=True).first()


@login_required
@require_http_methods(["GET", "POST"])
def review_detail(request, report_id):
    access.require_office(request.user)
    report = access.get_report(request.user, report_id)
    queue_query = _queue_query(request.GET, report.task.campaign)
    here = f"{reverse('reports:review_detail', args=[report.pk])}?{queue_query}"
    if request.method == "POST":
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                services.report_review(
                    user=request.user,
                    report=report,
                    decision=form.cleaned_data["decision"],
                    comment=form.cleaned_data["comment"],
                    expected_version=form.cleaned_data.get("version"),
                    ip_address=client_ip(request),
                )
            except ReportConflict:
                messages.error(request, "这份报送在您审阅期间被联络员修改了,请查看最新内容后再审核。")
                return redirect(here)
            except ReportLocked as error:
                messages.error(request, " ".join(error.messages))
                return redirect(here)
            except ValidationError as error:
                _add_service_errors(form, error)
            else:
                done = "已审核通过。" if form.cleaned_data["decision"] == "approve" else "已退回,联络员将看到退回理由。"
                messages.success(request, f"{report.task.key} {report.unit.name}:{done}")
                following = _next_in_queue(report, request.GET)
                if following is None:
                    messages.info(request, "筛选条件下已没有其他报送。")
                    return redirect(f"{reverse('reports:review_queue')}?{queue_query}")
                return redirect(f"{reverse('reports:review_detail', args=[following])}?{queue_query}")
    else:
        form = ReviewForm(initial={"version": report.version})
    report = selectors.report_for_review(report.pk)
    previous = selectors.returned_version(report) if report.reviews.all() else None
    context = {
        "report": report,
        "task": report.task,
        "form": form,
        "returned": previous,
        "changes": selectors.changes_since(previous, report) if previous else [],
        "reviewable": report.state == "submitted",
        "queue_query": queue_query,
        "next_id": _next_in_queue(report, request.GET),
    }
    return render(request, "reports/review_detail.html", context)


@login_required
def missing_reports(request):
    access.require_read_everything(request.user)
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    if campaign is None:
        return _no_campaign(request)
    periods = selectors.period_context(campaign, _today())
    period = periods.get(request.GET.get("period")) or periods.last_due or periods.current
    form = MissingReportsFilterForm(request.GET or None, campaign=campaign)
    filters = _valid_filters(form)
    rows = obligations.missing_reports(campaign, period, unit=filters.get("unit"), category=filters.get("category"))
    by_unit: dict[int, tuple] = {}
    for task, unit, role in rows:
        by_unit.setdefault(unit.pk, (unit, []))[1].append((task, role))
    context = {
        "campaign": campaign, "page_campaign": chosen, "period": period,
        "periods": list(reversed(periods.periods)), "rows": rows, "form": form, "filtered": bool(filters),
        "by_unit": sorted(by_unit.values(), key=lambda g: (g[0].sort_order, g[0].pk)),
        "can_chase": access.is_office(request.user),
    }
    return render(request, "reports/missing_reports.html", context)


@login_required
def help_status(request):
    return render(request, "help/status_rules.html", {"due_soon_days": DUE_SOON_DAYS})

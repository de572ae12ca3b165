"""Every list of the reporting and governance pages as Excel, from the page that shows it.

Each view reads exactly what its page shows (same selector, same filters, same campaign) and
writes it with the page's column names (tasks.excel.lists); the file is named for what is
inside, the filters and the day. Who may download is who may see the page.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from tasks.campaign_choice import campaign_for_request
from tasks.excel.export import task_list_xlsx
from tasks.excel.lists import list_response, xlsx_file_response
from tasks.models import AssignmentRole, Task
from tasks.selectors import task_list

from . import access, obligations, selectors
from .forms import TaskStatusFilterForm
from .governance import selectors as governance_selectors
from .governance import views as governance_views
from .ledger import ledger_xlsx

def filters_text(form) -> str:
    """The filters in use, as the page's menus name them: 逾期、区应急管理局."""
    parts = []
    for name, value in (getattr(form, "cleaned_data", None) or {}).items():
        if not value or name == "campaign":
            continue
        field = form.fields[name]
        choices = dict(getattr(field, "choices", []) or [])
        if hasattr(value, "name"):
            parts.append(value.name)
        elif value in choices:
            parts.append(str(choices[value]))
        elif str(value) in {str(k) for k in choices}:
            parts.append(str(next(v for k, v in choices.items() if str(k) == str(value))))
        else:
            parts.append(f"“{value}”" if name == "q" else str(value))
    return "、".join(parts)


def _filtered_tasks(request):
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    if campaign is None:
        return None, None, None
    today = timezone.localdate()
    periods = selectors.period_context(campaign, today)
    form = TaskStatusFilterForm(request.GET or None, campaign=campaign)
    form.is_valid()
    filters = {k: v for k, v in getattr(form, "cleaned_data", {}).items() if v}
    tasks = selectors.task_list_with_status(campaign=campaign, today=today, last_due_period=periods.last_due, **filters)
    return campaign, form, tasks


@require_GET
@login_required
def task_list_export(request):
    """The task list page with its filters (state and RAG included), in the annex's layout — so
    the file is also the template the office edits and imports back (tasks/excel) — under a name
    that says which filters were on."""
    campaign, form, tasks = _filtered_tasks(request)
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=404)
    shown = task_list(campaign=campaign).filter(pk__in=[task.pk for task in tasks])
    return xlsx_file_response(task_list_xlsx(campaign=campaign, tasks=shown), what=f"{campaign}任务清单",
                              day=timezone.localdate(), detail=filters_text(form))


@require_GET
@login_required
def ledger_export(request):
    """台账: the filtered tasks, one column per reporting period (reports/ledger.py)."""
    access.require_read_everything(request.user)
    campaign, form, tasks = _filtered_tasks(request)
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=404)
    ids = [task.pk for task in tasks]
    today = timezone.localdate()
    data = ledger_xlsx(campaign=campaign, today=today, tasks=Task.objects.filter(pk__in=ids).order_by("sort_order", "pk"))
    return xlsx_file_response(data, what=f"{campaign}任务进展台账", day=today, detail=filters_text(form))


MISSING_HEADERS = ["应报单位", "编号", "具体任务", "完成时限", "职责"]


@require_GET
@login_required
def missing_reports_export(request):
    """未报送清单 grouped by unit (units in their order, each unit's tasks in the annex's order)."""
    access.require_read_everything(request.user)
    campaign = campaign_for_request(request).campaign
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=404)
    periods = selectors.period_context(campaign, timezone.localdate())
    period = periods.get(request.GET.get("period")) or periods.last_due or periods.current
    rows = obligations.missing_reports(campaign, period) if period else []
    rows = sorted(rows, key=lambda r: (r[1].sort_order, r[1].pk, r[0].sort_order, r[0].pk))
    lines = ([unit.name, task.key, task.content, task.deadline_text, "配合" if role == AssignmentRole.SUPPORT else "牵头"]
             for task, unit, role in rows)
    return list_response(what=f"{campaign}未报送清单", day=timezone.localdate(),
                         detail=period.label if period else "", headers=MISSING_HEADERS, rows=lines,
                         widths=[22, 7, 60, 18, 8])


@require_GET
@login_required
def supervisions_export(request):
    access.require_read_everything(request.user)
    campaign = campaign_for_request(request).campaign
    after = governance_views._next_working_day()  # the page's own rule for a late 签收
    rows = governance_selectors.supervision_rows(campaign=campaign, next_working_day=after) if campaign else []

    def receipts(row) -> str:
        return ";".join(
            f"{unit.name + ' ' if len(row.receipts) > 1 else ''}"
            + (f"已签收 {timezone.localtime(r.acknowledged_at):%m-%d %H:%M}" if r else "未签收")
            for unit, r in row.receipts
        )

    lines = ([row.supervision.task.key, "、".join(u.name for u in row.units) or "—", row.supervision.get_level_display(),
              row.supervision.instruction, row.supervision.respond_by.isoformat(), row.supervision.get_state_display(),
              receipts(row)] for row in rows)
    return list_response(what=f"{campaign or ''}督办清单", day=timezone.localdate(),
                         headers=["任务", "牵头单位", "等级", "督办要求", "答复期限", "状态", "签收"], rows=lines,
                         widths=[8, 22, 8, 56, 12, 10, 24])


@require_GET
@login_required
def extensions_export(request):
    access.require_read_everything(request.user)
    campaign = campaign_for_request(request).campaign
    extensions = governance_selectors.extensions_pending(campaign=campaign) if campaign else []
    rows = ([e.task.key, e.unit.name if e.unit_id else "", e.requested_by.display_name,
             f"{timezone.localtime(e.requested_at):%Y-%m-%d %H:%M}",
             e.original_date.isoformat() if e.original_date else "—", e.task.deadline_text,
             e.requested_date.isoformat(), e.reason]
            for e in extensions)
    return list_response(what=f"{campaign or ''}延期申请清单", day=timezone.localdate(),
                         headers=["任务", "申请单位", "申请人", "申请时间", "原时限", "方案时限", "申请完成时限", "理由"],
                         rows=rows, widths=[8, 20, 10, 17, 12, 16, 14, 50])

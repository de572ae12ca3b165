"""Excel pages: download the (filtered) task list; the office's upload → preview → confirm of a task list."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import selectors
from .campaign_choice import campaign_for_request
from .access import get_import, require_office
from .excel.export import XLSX_CONTENT_TYPE, attachment_header, export_filename, task_list_xlsx
from .excel.safety import BadWorkbook
from .excel.services import ImportRejected, task_import_cancel, task_import_create, task_import_read
from .forms import TaskFilterForm, TaskImportForm
from .jobs import apply_task_import, queue_or_run, read_task_import
from .models import TaskImport, TaskImportState


@login_required
def task_list_export(request):
    """The task list as .xlsx, with the list page's filters and campaign (everyone may read the list)."""
    campaign = campaign_for_request(request).campaign
    if campaign is None:
        return render(request, "tasks/no_campaign.html", status=404)
    form = TaskFilterForm(request.GET or None, campaign=campaign)
    filters = form.cleaned_data if form.is_valid() else {}
    tasks = selectors.task_list(campaign=campaign, **{k: v for k, v in filters.items() if v})
    response = HttpResponse(task_list_xlsx(campaign=campaign, tasks=tasks), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = attachment_header(export_filename(campaign, timezone.localdate()))
    return response


def _inline_limit() -> int:
    return getattr(settings, "TASK_IMPORT_INLINE_MAX_BYTES", 256 * 1024)


@login_required
def task_import_upload(request):
    require_office(request.user, "只有区安委办可以导入任务清单。")
    chosen = campaign_for_request(request)
    form = TaskImportForm(request.POST or None, request.FILES or None, default_campaign=chosen.campaign)
    if request.method == "POST" and form.is_valid():
        try:
            task_import = task_import_create(
                uploaded_file=form.cleaned_data["file"], user=request.user, campaign=form.cleaned_data["campaign"],
                default_campaign=chosen.campaign,
            )
        except BadWorkbook as error:
            form.add_error("file", str(error))
        else:
            if task_import.size <= _inline_limit():
                task_import_read(task_import=task_import)
            else:
                queue_or_run(read_task_import, task_import.pk)
            return redirect("tasks:import_detail", pk=task_import.pk)
    recent = TaskImport.objects.select_related("created_by")[:10]
    context = {"form": form, "recent": recent, "page_campaign": chosen, "campaign": chosen.campaign}
    return render(request, "tasks/import_upload.html", context, status=400 if form.errors else 200)


@login_required
def task_import_detail(request, pk: int):
    task_import = get_import(request.user, pk)
    return render(request, "tasks/import_detail.html", {"item": task_import, "preview": task_import.preview})


@login_required
@require_POST
def task_import_confirm(request, pk: int):
    task_import = get_import(request.user, pk)
    if task_import.state != TaskImportState.READY:
        messages.error(request, "该导入不处于待确认状态,未做任何修改。")
        return redirect("tasks:import_detail", pk=pk)
    if task_import.size > _inline_limit():
        TaskImport.objects.filter(pk=pk, state=TaskImportState.READY).update(state=TaskImportState.APPLYING, progress=0)
        queue_or_run(apply_task_import, task_import.pk)
        return redirect("tasks:import_detail", pk=pk)
    from .excel.services import task_import_apply

    try:
        counts = task_import_apply(task_import=task_import, user=request.user)
    except ImportRejected as error:
        messages.error(request, f"未导入任何内容:{error}")
    else:
        messages.success(
            request, f"导入完成:新增 {counts['added']} 项,修改 {counts['changed']} 项,未变 {counts['unchanged']} 项。"
        )
    return redirect("tasks:import_detail", pk=pk)


@login_required
@require_POST
def task_import_cancel_view(request, pk: int):
    task_import = get_import(request.user, pk)
    if task_import.state in (TaskImportState.READY, TaskImportState.INVALID, TaskImportState.FAILED):
        task_import_cancel(task_import=task_import, user=request.user)
        messages.info(request, "已取消该导入,未做任何修改。")
    return redirect("tasks:import_upload")

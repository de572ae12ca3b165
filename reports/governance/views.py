"""Pages of the governance steps. Thin: access helper → form → service → redirect (or the form again, 400)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.module_loading import import_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.net import client_ip
from yinzhou_campaign.actions import action_page as _action
from yinzhou_campaign.actions import next_url as _next_url
from tasks.campaign_choice import campaign_for_request

from .. import access
from .. import views as report_views
from . import forms, selectors, services
from .notice_doc import supervision_notice as supervision_notice_docx
from .notice_doc import supervision_notice_filename

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

def _task(request, campaign_id: int, key: str):
    return access.get_task(request.user, key, campaign_id=campaign_id)


def _task_url(task) -> str:
    return task.governance_url


# --- pages ------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request):
    return redirect("governance:supervisions")


@login_required
@require_GET
def task_page(request, campaign_id: int, key: str):
    """A task's governance history and actions (the same panel the task page includes)."""
    task = _task(request, campaign_id, key)
    return render(request, "governance/task.html", {"task": task})


@login_required
@require_GET
def supervision_list(request):
    """Open 督办 with their lead units and receipts (late ones highlighted), then the closed ones."""
    access.require_read_everything(request.user)
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    after = _next_working_day()
    rows = selectors.supervision_rows(campaign=campaign, next_working_day=after) if campaign else []
    closed = selectors.supervision_rows(campaign=campaign, closed=True, next_working_day=after) if campaign else []
    return render(
        request, "governance/supervisions.html",
        {"rows": rows, "closed_rows": closed, "supervisions": [r.supervision for r in rows],
         "today": timezone.localdate(), "campaign": campaign, "page_campaign": chosen,
         "closed_limit": selectors.CLOSED_HISTORY, "can_chase": access.is_office(request.user)},
    )


def _next_working_day():
    """The working day after a date, from the calendar configured in WORKING_CALENDAR (the office's
    overrides, then the statutory one): reports may not import the reminders app that keeps it."""
    calendar = import_string(settings.WORKING_CALENDAR)()
    return lambda day: calendar.next_working_day(day + datetime.timedelta(days=1))


@login_required
@require_GET
def supervision_notice(request, pk: int):
    """The 督办通知书 (.docx): for the office and leaders, and the lead units it is addressed to."""
    supervision = access.get_supervision(request.user, pk)
    if not (access.can_read_everything(request.user) or access.is_lead_liaison(request.user, supervision.task)):
        raise PermissionDenied("只有区安委办、领导和牵头单位可以下载督办通知书。")
    content = supervision_notice_docx(supervision)
    response = HttpResponse(content, content_type=DOCX_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, supervision_notice_filename(supervision))
    return response


@login_required
@require_POST
def supervision_acknowledge(request, pk: int):
    """签收: a lead unit's liaison acknowledges the supervision (from the task page or a notice)."""
    supervision = access.get_supervision(request.user, pk)
    access.require_lead_liaison(request.user, supervision.task)
    try:
        receipt, created = services.supervision_acknowledge(
            user=request.user, supervision=supervision, ip_address=client_ip(request)
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        when = timezone.localtime(receipt.acknowledged_at)
        messages.success(request, f"已签收({when:%Y-%m-%d %H:%M})。" if created else f"本单位已于 {when:%Y-%m-%d %H:%M} 签收。")
    return redirect(_next_url(request, _task_url(supervision.task)))


@login_required
@require_GET
def extension_list(request):
    access.require_read_everything(request.user)
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    extensions = list(selectors.extensions_pending(campaign=campaign)) if campaign else []
    return render(
        request,
        "governance/extensions.html",
        {"extensions": extensions, "campaign": campaign, "page_campaign": chosen},
    )


@login_required
@require_GET
def period_list(request):
    access.require_read_everything(request.user)
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    periods = list(selectors.periods_with_counts(campaign)) if campaign else []
    return render(
        request, "governance/periods.html", {"periods": periods, "campaign": campaign, "page_campaign": chosen}
    )


@login_required
@require_GET
def period_report_list(request, pk: int):
    access.require_read_everything(request.user)
    period = access.get_period(request.user, pk)
    reports = list(selectors.period_reports(period))
    return render(
        request, "governance/period_reports.html", {"period": period, "reports": reports}
    )


@login_required
@require_GET
def attachment_download(request, pk: int):
    """Evidence of a supervision step or a sign-off: the same download, and rule, as a report's."""
    return report_views.attachment_download(request, pk)


# --- actions ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def supervision_open(request, campaign_id: int, key: str):
    task = _task(request, campaign_id, key)
    access.require_office(request.user)
    return _action(
        request,
        forms.SupervisionOpenForm,
        lambda data: services.supervision_open(user=request.user, task=task, ip_address=client_ip(request), **data),
        title="发起督办",
        subject=str(task),
        back_url=_task_url(task),
        done=f"已对任务 {task.key} 发起督办。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_answer(request, pk: int):
    supervision = access.get_supervision(request.user, pk)
    access.require_lead_liaison(request.user, supervision.task)

    def run(data):
        services.supervision_answer(
            user=request.user, supervision=supervision, text=data["text"],
            files=request.FILES.getlist("attachments"), ip_address=client_ip(request),
        )

    return _action(
        request, forms.SupervisionAnswerForm, run,
        title="答复督办", subject=f"{supervision.task} · {supervision.instruction[:60]}",
        back_url=_task_url(supervision.task), done="答复已提交。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_raise(request, pk: int):
    supervision = access.get_supervision(request.user, pk)
    access.require_office(request.user)
    return _action(
        request, forms.SupervisionRaiseForm,
        lambda data: services.supervision_raise(
            user=request.user, supervision=supervision, ip_address=client_ip(request), **data
        ),
        title="提升督办等级", subject=str(supervision.task),
        back_url=_task_url(supervision.task), done="督办等级已提升。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def supervision_close(request, pk: int):
    supervision = access.get_supervision(request.user, pk)
    access.require_office(request.user)
    return _action(
        request, forms.SupervisionCloseForm,
        lambda data: services.supervision_close(
            user=request.user, supervision=supervision, ip_address=client_ip(request), **data
        ),
        title="督办办结", subject=str(supervision.task),
        back_url=_task_url(supervision.task), done="督办已办结。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def sign_off(request, campaign_id: int, key: str):
    task = _task(request, campaign_id, key)
    access.require_office(request.user)

    def run(data):
        services.task_sign_off(
            user=request.user, task=task, comment=data["comment"],
            files=request.FILES.getlist("attachments"), ip_address=client_ip(request),
        )

    return _action(
        request, forms.SignOffForm, run,
        title="销号", subject=str(task), back_url=_task_url(task), done=f"任务 {task.key} 已销号。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_reopen(request, campaign_id: int, key: str):
    task = _task(request, campaign_id, key)
    access.require_office(request.user)
    return _action(
        request, forms.ReasonForm,
        lambda data: services.task_reopen(user=request.user, task=task, ip_address=client_ip(request), **data),
        title="撤销销号", subject=str(task), back_url=_task_url(task), done=f"任务 {task.key} 已撤销销号。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_request(request, campaign_id: int, key: str):
    task = _task(request, campaign_id, key)
    access.require_lead_liaison(request.user, task)
    return _action(
        request, forms.ExtensionRequestForm,
        lambda data: services.extension_request(
            user=request.user, task=task, requested_date=data["requested_date"], reason=data["reason"],
            ip_address=client_ip(request),
        ),
        title="申请延期", subject=str(task), back_url=_task_url(task), done="延期申请已提交,等待区安委办审批。",
        form_kwargs={"campaign_end": task.campaign.end_date},
    )


@login_required
@require_http_methods(["GET", "POST"])
def extension_decide(request, pk: int):
    extension = access.get_extension(request.user, pk)
    access.require_office(request.user)

    def run(data):
        services.extension_decide(
            user=request.user, extension=extension, approve=data["decision"] == "approve",
            approved_date=data.get("approved_date"), comment=data.get("comment", ""), ip_address=client_ip(request),
        )

    return _action(
        request, forms.ExtensionDecideForm, run,
        title="审批延期申请",
        subject=f"{extension.task} · 原时限 {extension.original_date or '—'} → 申请 {extension.requested_date}",
        back_url=reverse("governance:extensions"), done="延期申请已审批。",
        form_kwargs={"campaign_end": extension.task.campaign.end_date, "requested_date": extension.requested_date},
    )


@login_required
@require_http_methods(["GET", "POST"])
def authority_date(request, campaign_id: int, key: str):
    task = _task(request, campaign_id, key)
    access.require_office(request.user)
    return _action(
        request, forms.AuthorityDateForm,
        lambda data: services.authority_date_set(user=request.user, task=task, ip_address=client_ip(request), **data),
        title="录入上级明确的完成时限", subject=str(task), back_url=_task_url(task), done="完成时限已录入。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def period_close(request, pk: int):
    """GET: what closing would lock (returned, draft, awaiting review, missing — by unit); POST: close."""
    period = access.get_period(request.user, pk)
    access.require_office(request.user)
    if request.method == "GET":
        return render(request, "governance/period_close.html", {
            "period": period, "summary": selectors.period_close_summary(period),
            "deadline_passed": period.due_date < timezone.localdate(),
        })
    try:
        services.period_close(user=request.user, period=period, ip_address=client_ip(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{period.label}已关闭,本周期的报送已锁定。")
    return redirect(f"{reverse('governance:periods')}?campaign={period.campaign_id}")


@login_required
@require_http_methods(["GET", "POST"])
def period_reopen(request, pk: int):
    period = access.get_period(request.user, pk)
    access.require_office(request.user)
    return _action(
        request, forms.ReasonForm,
        lambda data: services.period_reopen(user=request.user, period=period, ip_address=client_ip(request), **data),
        title="重新开放报送周期", subject=f"{period.campaign} {period.label}:重新开放后,各单位可以再次报送和修改本周期的报送。",
        back_url=f"{reverse('governance:periods')}?campaign={period.campaign_id}",
        done=f"{period.label}已重新开放。",
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_reopen(request, pk: int):
    report = access.get_report(request.user, pk)
    access.require_office(request.user)
    return _action(
        request, forms.ReasonForm,
        lambda data: services.report_reopen(user=request.user, report=report, ip_address=client_ip(request), **data),
        title="重新开放报送", subject=f"{report.task.key} {report.unit.name} {report.period.label}",
        back_url=reverse("governance:period_reports", args=[report.period_id]),
        done="报送已重新开放,报送单位可以修改,修改后需重新审核。",
    )


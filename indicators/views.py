"""Pages: the indicator list (目标指标), one indicator with its values, and the write actions.

Thin: access helper → form → service → redirect with a message; a refused value re-renders the
page with the service's Chinese messages next to the fields and nothing saved.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from audit.net import client_ip
from reports.access import is_liaison, is_office
from reports.models import ReportState
from reports.periods import period_current, period_get, periods_ensure
from reports.services import ReportConflict, ReportLocked
from tasks.campaign_choice import campaign_for_request

from . import access, selectors, services
from .forms import AssignForm, CorrectionForm, ReviewForm, ValueForm


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, messages_ in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages_)
    else:
        form.add_error(None, error.messages)


@login_required
def indicator_list(request):
    chosen = campaign_for_request(request)
    campaign = chosen.campaign
    rows, period = [], None
    if campaign is not None:
        period = period_current(campaign, timezone.localdate())
        rows = selectors.indicator_panel_rows(campaign=campaign, period=period)
    own_unit = request.user.unit_id if is_liaison(request.user) else None
    context = {
        "page_campaign": chosen, "campaign": campaign, "period": period,
        "groups": selectors.panel_by_area(rows), "counts": selectors.panel_counts(rows),
        "awaiting": sum(1 for r in rows if not r.units), "own_unit": own_unit,
    }
    return render(request, "indicators/list.html", context)


def _detail(request, indicator, *, value_form=None, correction_forms=None, assign_form=None, status=200):
    periods = periods_ensure(indicator.campaign)
    period = period_current(indicator.campaign, timezone.localdate(), periods)
    units = selectors.responsible_units([indicator])[indicator.pk]
    values = list(selectors.values_visible_to(request.user, indicator))
    writer = is_liaison(request.user) and any(u.pk == request.user.unit_id for u in units)
    own = next((v for v in values if writer and v.unit_id == request.user.unit_id and v.period_id == period.pk), None)
    if writer and value_form is None and (own is None or own.state != ReportState.APPROVED) and not period.is_closed:
        initial = {"period": period.code, "version": own.version if own else None}
        if own:
            initial.update(value=own.value, numerator=own.numerator, denominator=own.denominator, note=own.note)
        value_form = ValueForm(indicator=indicator, initial=initial)
    office = is_office(request.user)
    correction_forms = correction_forms or {}
    for value in values:
        value.correction_form = correction_forms.get(value.pk) or (
            CorrectionForm() if office and value.state == ReportState.APPROVED else None
        )
    row = selectors.indicator_panel_rows(campaign=indicator.campaign, period=period)
    row = next(r for r in row if r.indicator.pk == indicator.pk)
    context = {
        "indicator": indicator, "units": units, "values": values, "period": period, "row": row,
        "value_form": value_form if writer else None, "own": own, "office": office,
        "assign_form": (assign_form or AssignForm()) if office and not indicator.task_id else None,
    }
    return render(request, "indicators/detail.html", context, status=status)


@login_required
def indicator_detail(request, indicator_id: int):
    return _detail(request, access.get_indicator(request.user, indicator_id))


@login_required
@require_POST
def value_submit(request, indicator_id: int):
    indicator = access.get_indicator(request.user, indicator_id)
    access.require_value_writer(request.user, indicator)
    form = ValueForm(request.POST, request.FILES, indicator=indicator)
    if form.is_valid():
        period = period_get(indicator.campaign, form.cleaned_data["period"])
        if period is None:
            form.add_error(None, "没有这个报送周期。")
        else:
            data = services.ValueInput(
                value=form.cleaned_data.get("value"), numerator=form.cleaned_data.get("numerator"),
                denominator=form.cleaned_data.get("denominator"), note=form.cleaned_data.get("note", ""),
            )
            submit = request.POST.get("action") != "save"
            try:
                services.indicator_value_save(
                    user=request.user, indicator=indicator, period=period, data=data, submit=submit,
                    expected_version=form.cleaned_data.get("version"), files=request.FILES.getlist("files"),
                    ip_address=client_ip(request),
                )
            except ReportConflict:
                form.add_error(None, "这条实际值已被他人修改,您的内容尚未保存;请刷新后再填。")
            except ReportLocked as error:
                form.add_error(None, " ".join(error.messages))
            except ValidationError as error:
                if "attachments" in getattr(error, "error_dict", {}):
                    error = ValidationError({"files": error.message_dict["attachments"]})
                _add_errors(form, error)
            else:
                messages.success(request, f"{indicator.key} {period.label}实际值已{'报送' if submit else '保存为草稿'}。")
                return redirect("indicators:detail", indicator_id=indicator.pk)
    return _detail(request, indicator, value_form=form, status=400)


@login_required
@require_POST
def value_review(request, value_id: int):
    access.require_office(request.user)
    value = access.get_value(request.user, value_id)
    form = ReviewForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError({"decision": ["审核结论应为“通过”或“退回”。"]})
        services.indicator_value_review(
            user=request.user, value=value, decision=form.cleaned_data["decision"],
            comment=form.cleaned_data["comment"], ip_address=client_ip(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{value.unit.name} {value.period.label}:{'已审核通过' if form.cleaned_data['decision'] == 'approve' else '已退回'}。")
    return redirect("indicators:detail", indicator_id=value.indicator_id)


@login_required
@require_POST
def value_correct(request, value_id: int):
    access.require_office(request.user)
    value = access.get_value(request.user, value_id)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = services.ValueInput(
            value=form.cleaned_data["value"], numerator=form.cleaned_data["numerator"],
            denominator=form.cleaned_data["denominator"],
        )
        try:
            services.indicator_value_correct(
                user=request.user, value=value, data=data, reason=form.cleaned_data["reason"],
                ip_address=client_ip(request),
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"{value.unit.name} {value.period.label}的实际值已更正。")
            return redirect("indicators:detail", indicator_id=value.indicator_id)
    return _detail(request, value.indicator, correction_forms={value.pk: form}, status=400)


@login_required
@require_POST
def unit_assign(request, indicator_id: int):
    access.require_office(request.user)
    indicator = access.get_indicator(request.user, indicator_id)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_unit_assign(
                user=request.user, indicator=indicator, unit=form.cleaned_data["unit"], reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"已指定{form.cleaned_data['unit'].name}为{indicator.key}的责任单位。")
            return redirect("indicators:detail", indicator_id=indicator.pk)
    return _detail(request, indicator, assign_form=form, status=400)


@login_required
def evidence_download(request, evidence_id: int):
    evidence = access.get_evidence(request.user, evidence_id)
    try:
        handle = evidence.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("佐证材料文件已丢失,请联系管理员。")
    response = FileResponse(handle, content_type=evidence.content_type)
    response["Content-Disposition"] = content_disposition_header(True, evidence.original_name)
    response["Content-Length"] = str(evidence.size)
    return response

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from audit.net import client_ip

from reports.access import require_office
from yinzhou_campaign.actions import next_url

from . import office_settings, selectors, services
from .chasing import chase_send
from .forms import ChaseForm, DayForm
from .models import RuleKind, WorkingDayOverride
from .rules import Group


@login_required
def notification_list(request):
    page = Paginator(selectors.notification_list(user=request.user), 20).get_page(request.GET.get("page"))
    return render(request, "reminders/notification_list.html", {"page": page, "group_labels": Group.LABELS})


@require_POST
@login_required
def notification_read(request, notification_id: int):
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    return redirect("reminders:notifications")


@require_POST
@login_required
def notifications_read_all(request):
    count = services.notifications_mark_all_read(user=request.user)
    messages.success(request, f"已将 {count} 条通知标为已读。" if count else "没有未读通知。")
    return redirect("reminders:notifications")


@login_required
def office_log(request):
    """What was sent on a day, to whom and on which channel; and the units nobody can be reminded in."""
    require_office(request.user)
    form = DayForm(request.GET or None)
    day = timezone.localdate()
    if form.is_valid() and form.cleaned_data["day"]:
        day = form.cleaned_data["day"]
    return render(
        request,
        "reminders/office_log.html",
        {
            "form": form,
            "day": day,
            "digests": selectors.digests_of_day(day=day),
            "chases": selectors.chases_of_day(day=day),
            "notices": selectors.notices_of_day(day=day),
            "waiting": selectors.undigested_reminders()[:200],
            "gaps": selectors.units_without_liaison(),
            "group_labels": Group.LABELS,
        },
    )


# --- 系统管理 · 提醒规则 and 工作日调整 --------------------------------------------------------------


@login_required
def rules_page(request):
    require_office(request.user)
    return render(request, "system/reminder_rules.html", {"rules": office_settings.rules_all()})


@require_http_methods(["GET", "POST"])
@login_required
def rule_edit(request, kind: str):
    require_office(request.user)
    if kind not in RuleKind.values:
        raise Http404
    rule = office_settings.rule_current(kind)
    initial = {name: getattr(rule, name) for name in office_settings.RULE_FIELDS}
    form = office_settings.ReminderRuleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            office_settings.rule_set(by=request.user, kind=kind, values=form.cleaned_data, ip_address=client_ip(request))
        except ValidationError as error:
            for field, errors in getattr(error, "message_dict", {None: error.messages}).items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"已保存提醒规则“{rule.get_kind_display()}”,下一次提醒起生效。")
            return redirect("reminders:rules")
    return render(request, "system/reminder_rule_form.html", {"rule": rule, "form": form})


@require_http_methods(["GET", "POST"])
@login_required
def workdays_page(request):
    require_office(request.user)
    form = office_settings.WorkdayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            rows = office_settings.workdays_add(by=request.user, ip_address=client_ip(request), **form.cleaned_data)
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field, errors)
        else:
            messages.success(request, f"已录入 {len(rows)} 天的工作日调整。")
            return redirect("reminders:workdays")
    since = timezone.localdate().replace(month=1, day=1)
    overrides = WorkingDayOverride.objects.filter(date__gte=since).order_by("date")
    return render(request, "system/workdays.html", {"form": form, "overrides": overrides, "since": since},
                  status=400 if form.errors else 200)


@require_POST
@login_required
def workday_delete(request, override_id: int):
    require_office(request.user)
    override = get_object_or_404(WorkingDayOverride, pk=override_id)
    office_settings.workday_delete(by=request.user, override=override, ip_address=client_ip(request))
    messages.success(request, f"已删除 {override.date:%Y-%m-%d} 的工作日调整。")
    return redirect("reminders:workdays")
@require_POST
@login_required
def chase(request):
    """催报 / 催办 now: from the 未报送清单, a dashboard unit row or a 督办 (office only)."""
    require_office(request.user)
    form = ChaseForm(request.POST)
    back = next_url(request, "/reminders/")
    if not form.is_valid():
        messages.error(request, "".join(e for errors in form.errors.values() for e in errors))
        return redirect(back)
    data = form.cleaned_data
    result = chase_send(
        user=request.user, kind=data["kind"], unit_ids=data["units"], campaign=data.get("campaign"),
        period=data.get("period"), supervision=data.get("supervision"), ip_address=client_ip(request),
    )
    (messages.success if result.sent else messages.warning)(request, result.message(data["kind"]))
    return redirect(back)

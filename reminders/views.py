from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from audit.net import client_ip
from reports.access import require_office
from yinzhou_campaign.actions import next_url

from . import selectors, services
from .chasing import chase_send
from .forms import ChaseForm, DayForm
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

"""Building quarterly rollups (季度汇总), and asking for one from a page.

`rollup_build` is the one way to make a rollup; the Celery job, the beat schedule and the
management command all call it. Concurrency and redelivery are handled in PostgreSQL:
- the period row is locked (SELECT … FOR UPDATE) for the whole build, so builds of one
  period run one after the other;
- a build that waited for the lock and finds a rollup created after it was requested
  returns that one instead of making another (two concurrent requests → one version);
- (campaign, period, version) is unique, so even a bypassing writer cannot duplicate a version.
"""

from __future__ import annotations

import datetime
import json
import logging
from collections import Counter

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import log_action
from reports.history import end_of_day
from reports.models import ReportingPeriod
from reports.periods import periods_ensure
from tasks.models import Campaign
from yinzhou_campaign.queueing import enqueue

from reports import access
from .circular import CircularOptions, circular_filename, circular_title, rollup_circular
from .models import Rollup, RollupStatus, RollupTaskRow
from .rollups import (
    rollup_changes,
    rollup_filename,
    rollup_label,
    rollup_previous,
    rollup_task_rows,
    task_units,
)
from .workbooks import rollup_workbook
from .selectors import ScopeError, dashboard_data, dashboard_scope


logger = logging.getLogger(__name__)

MAIL_RETRY_DAYS = 7  # a scheduled rollup whose e-mail keeps failing is retried by the daily job this long
# Only periods that fell due recently are news: the first run after a deployment also builds
# rollups of long-past periods (catch-up), which stay on the rollups page without an e-mail each.
MAIL_FRESH_DAYS = 31

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class RollupError(ValueError):
    """The rollup cannot be built (unknown period …); the message is for the user."""


def _json(data) -> dict:
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def rollup_build(
    *,
    campaign: Campaign,
    period_code: str,
    user=None,
    requested_at: datetime.datetime | None = None,
    only_if_missing: bool = False,
    today: datetime.date | None = None,
    scheduled: bool = False,
) -> tuple[Rollup | None, bool]:
    """Freeze the period into a new rollup version; returns (rollup, created).

    - `requested_at`: when the build was asked for; if a rollup of the period was made since
      (a concurrent or redelivered request), it is returned with created=False.
    - `only_if_missing`: the daily job's mode; does nothing if the period has any rollup.
    - `scheduled`: built by the daily job; such rollups are e-mailed to the office (`rollups_mail_pending`,
      called by the job after this transaction commits).
    Building never closes the period: closing is the office's explicit act (`period_close`). A rollup
    built before the period's report deadline has passed is a preview (预览): liaisons are still
    reporting; the final rollup is built by the daily job after the deadline.
    """
    today = today or timezone.localdate()
    requested_at = requested_at or timezone.now()
    periods_ensure(campaign)
    period = ReportingPeriod.objects.select_for_update().filter(campaign=campaign, code=period_code).first()
    if period is None:
        raise RollupError(f"行动方案没有报送周期“{period_code}”。")
    existing = Rollup.objects.filter(campaign=campaign, period=period)
    if only_if_missing:
        latest = existing.filter(preview=False).order_by("-version").first()
        if latest is not None:
            return latest, False
    else:
        recent = existing.filter(created_at__gte=requested_at).order_by("-version").first()
        if recent is not None:
            return recent, False

    scope = rollup_scope(campaign=campaign, period=period, today=today)
    now = timezone.now()
    snapshot = _json(dashboard_data(scope))
    snapshot["generated_at"] = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
    snapshot["as_of"] = scope.today.isoformat()
    snapshot["reports_as_of"] = timezone.localtime(scope.reports_as_of).date().isoformat()
    snapshot["task_units"] = task_units(scope)
    rows = rollup_task_rows(scope)
    previous = rollup_previous(campaign)
    previous_rows = dict(previous.rows.values_list("task_key", "state")) if previous else {}
    changes = rollup_changes(previous_rows, rows)
    changes["previous"] = (
        {"id": previous.pk, "period": previous.period.code, "label": str(previous)} if previous else None
    )
    snapshot["changes"] = changes

    version = (existing.aggregate(v=Max("version"))["v"] or 0) + 1
    preview = period.due_date >= today
    rollup = Rollup.objects.create(
        campaign=campaign,
        period=period,
        version=version,
        status=RollupStatus.READY,
        snapshot=snapshot,
        created_by=user if getattr(user, "is_authenticated", False) else None,
        created_at=now,
        scheduled=scheduled,
        preview=preview,
    )
    for row in rows:
        row.rollup = rollup
    RollupTaskRow.objects.bulk_create(rows)
    counts = Counter(row.reporting for row in rows)  # the rows just written, still in memory
    snapshot["reporting"] = {key: counts[key] for key in ("on_time", "late", "missing", "not_owed")}
    title = rollup_label(campaign, period, version, preview=preview)
    content = rollup_workbook(title=title, snapshot=snapshot, rows=rows, changes=changes)
    rollup.xlsx.save(_storage_name(rollup_filename(rollup)), ContentFile(content), save=False)
    circular = rollup_circular(
        period_label=period.label, snapshot=snapshot, rows=rows, issued_on=timezone.localtime(now).date()
    )
    rollup.docx.save(_storage_name(circular_filename(rollup)), ContentFile(circular), save=False)
    rollup.snapshot = snapshot
    Rollup.objects.filter(pk=rollup.pk).update(xlsx=rollup.xlsx.name, docx=rollup.docx.name, snapshot=snapshot)

    log_action(
        "dashboard.rollup.built",
        user=user,
        obj=rollup,
        data={"campaign": campaign.pk, "period": period.code, "version": version, "tasks": len(rows), "preview": preview},
    )
    return rollup, True


def rollup_scope(*, campaign: Campaign, period: ReportingPeriod, today: datetime.date):
    """The dashboard scope of a rollup: the period as it stood at its end (task states) and at its
    report deadline (reporting figures), read from the history — or today, if that is earlier
    (a preview of a period still running). A rollup rebuilt later therefore shows the same figures.
    """
    states_on = min(period.end, today)
    try:
        scope = dashboard_scope(campaign_param=str(campaign.pk), period_param=period.code, today=states_on)
    except ScopeError as error:
        raise RollupError(str(error)) from error
    scope.as_of = end_of_day(states_on)
    scope.reports_as_of = end_of_day(min(period.due_date, today))
    return scope


def _storage_name(filename: str) -> str:
    """The file's name on disk: the download name without full-width brackets (the download keeps them)."""
    return filename.replace("(", "-").replace(")", "")


def circular_issue(
    *, user, rollup: Rollup, number: int, year: int, issued_on: datetime.date, recipients: str, cc: str,
    printer: str, ip_address: str | None = None,
) -> tuple[bytes, str]:
    """The circular of a rollup as the office issues it (its 文号 and 版记 filled in): (docx, file name).

    Built from the rollup's frozen snapshot and rows, so it shows the figures of the draft; audited.
    """
    access.require_office(user)
    options = CircularOptions(number=number, year=year, recipients=recipients.strip(), cc=cc.strip(),
                              printer=printer.strip(), issued_on=issued_on)
    content = rollup_circular(
        period_label=rollup.period.label, snapshot=rollup.snapshot, rows=list(rollup.rows.all()),
        issued_on=issued_on, options=options,
    )
    document_number = options.document_number(issued_on)
    log_action(
        "dashboard.circular.issued", user=user, obj=rollup, ip_address=ip_address,
        data={"number": document_number, "period": rollup.period.code, "version": rollup.version},
    )
    return content, circular_filename(rollup, document_number)


def rollup_request(*, user, campaign: Campaign, period_code: str, ip_address: str | None = None) -> bool:
    """The office asks for a rollup now: audited, then queued after commit. False if the broker is down.

    Nothing is lost when it is: the daily job builds rollups for due periods that have none.
    """
    from .jobs import build_rollup

    access.require_office(user)
    if not ReportingPeriod.objects.filter(campaign=campaign, code=period_code).exists():
        raise RollupError(f"没有报送周期“{period_code}”。")
    requested_at = timezone.now()
    queued: list[bool] = []
    with transaction.atomic():
        log_action(
            "dashboard.rollup.requested",
            user=user,
            obj=campaign,
            data={"period": period_code},
            ip_address=ip_address,
        )
        transaction.on_commit(
            lambda: queued.append(
                enqueue(build_rollup, campaign.pk, period_code, requested_at=requested_at.isoformat(), user_id=user.pk)
            )
        )
    return bool(queued and queued[0])


def _office_addresses() -> list[str]:
    from departments.models import Role

    return list(
        get_user_model().objects.filter(is_active=True, role=Role.OFFICE)
        .exclude(email="")
        .order_by("email")
        .values_list("email", flat=True)
        .distinct()
    )


def rollup_mail(*, rollup: Rollup) -> bool:
    """E-mail a rollup's workbook and draft circular to the office; at most once per rollup.

    Deliberately NOT one transaction: the claim (UPDATE … SET mailed_at WHERE mailed_at IS NULL)
    commits before the message is sent, so a second run — a concurrent beat, a redelivered job —
    finds it taken and sends nothing. If sending fails the claim is released (mailed_at cleared),
    the error is logged and the next daily run retries; nothing is raised into the job.
    Returns True if this call sent the e-mail. Call it outside any transaction (after commit).
    """
    recipients = _office_addresses()
    if not recipients:
        logger.warning("rollup %s: no active office user has an e-mail address; not mailed", rollup.pk)
        return False
    claimed_at = timezone.now()
    if not Rollup.objects.filter(pk=rollup.pk, mailed_at__isnull=True).update(mailed_at=claimed_at):
        return False
    try:
        label = rollup_label(rollup.campaign, rollup.period, rollup.version, preview=rollup.preview)
        tasks, reports = rollup.snapshot.get("tasks", {}), rollup.snapshot.get("reports", {})
        body = (
            f"区安委办:\n\n{label}已由系统自动生成。\n"
            f"任务{tasks.get('total', 0)}项,已完成{tasks.get('done', 0)}项,已逾期{tasks.get('overdue', 0)}项;"
            f"进展报送率{reports.get('rate', 0)}%。\n\n"
            f"附件为汇总表(.xlsx)和《{circular_title(rollup.period.label)}》草稿(.docx),请审核修改后印发。\n"
            f"也可登录任务管理系统的“季度汇总”页面查看和下载。\n\n(本邮件由系统自动发送,请勿回复。)"
        )
        message = EmailMessage(
            subject=f"【汇总】{label}",
            body=body,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=recipients,
        )
        for field, name, mimetype in (
            (rollup.xlsx, rollup_filename(rollup), XLSX_TYPE),
            (rollup.docx, circular_filename(rollup), DOCX_TYPE),
        ):
            if field:
                with field.open("rb") as handle:
                    message.attach(name, handle.read(), mimetype)
        message.send(fail_silently=False)
    except Exception:
        logger.exception("rollup %s: e-mail to the office failed; the next daily run retries", rollup.pk)
        Rollup.objects.filter(pk=rollup.pk, mailed_at=claimed_at).update(mailed_at=None)
        return False
    log_action(
        "dashboard.rollup.mailed",
        user=None,
        obj=rollup,
        data={"recipients": len(recipients), "period": rollup.period.code, "version": rollup.version},
    )
    return True


def rollups_mail_pending() -> list[int]:
    """Mail every recent scheduled rollup not mailed yet (the daily job, after its builds commit).

    Recent: built in the last MAIL_RETRY_DAYS days, of a period due in the last MAIL_FRESH_DAYS days.
    """
    since = timezone.now() - datetime.timedelta(days=MAIL_RETRY_DAYS)
    fresh = timezone.localdate() - datetime.timedelta(days=MAIL_FRESH_DAYS)
    pending = (
        Rollup.objects.filter(
            scheduled=True, mailed_at__isnull=True, created_at__gte=since, period__due_date__gte=fresh
        )
        .select_related("campaign", "period")
        .order_by("created_at", "id")
    )
    return [rollup.pk for rollup in pending if rollup_mail(rollup=rollup)]

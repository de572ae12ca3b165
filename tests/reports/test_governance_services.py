"""The governance services: supervision, sign-off, extensions, closed periods — steps, rules and permissions."""

import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEntry
from reports.governance import services
from reports.governance.services import GovernanceConflict
from reports.models import (
    ExtensionRequest,
    ExtensionState,
    ProgressReport,
    ReportReopening,
    ReportState,
    SignOff,
    Supervision,
    SupervisionState,
    SupervisionStep,
    VersionAction,
)
from reports.periods import period_last_due
from reports.services import ReportInput, ReportLocked, report_review, report_save
from reports.status import TaskState, annotate_task_status
from tasks.models import Task

from .governance_support import approved_report, pdf
from .governance_support import authority_task, ongoing_task, period, support_liaison, task  # noqa: F401

pytestmark = pytest.mark.django_db

D = datetime.date
SOON = timezone.localdate() + datetime.timedelta(days=10)


def open_supervision(office_user, task, level=1):
    return services.supervision_open(user=office_user, task=task, level=level, instruction="请加快推进", respond_by=SOON)


# --- supervision ------------------------------------------------------------------------------


def test_the_whole_supervision_cycle_records_every_step(office_user, liaison, task):
    supervision = open_supervision(office_user, task)
    assert supervision.state == SupervisionState.OPEN
    step = services.supervision_answer(user=liaison, supervision=supervision, text="已整改", files=[pdf()])
    assert step.unit.name == "区应急管理局" and step.attachments.get().original_name == "佐证.pdf"
    supervision.refresh_from_db()
    assert supervision.state == SupervisionState.ANSWERED
    supervision = services.supervision_raise(
        user=office_user, supervision=supervision, level=3, respond_by=SOON + datetime.timedelta(days=5), text="进展滞后"
    )
    assert (supervision.level, supervision.state) == (3, SupervisionState.OPEN)
    services.supervision_answer(user=liaison, supervision=supervision, text="第二次答复")
    supervision = services.supervision_close(user=office_user, supervision=supervision, comment="同意办结")
    assert supervision.state == SupervisionState.CLOSED and supervision.closed_by == office_user
    kinds = list(supervision.steps.order_by("created_at", "id").values_list("kind", "level"))
    assert kinds == [("opened", 1), ("answered", 1), ("raised", 3), ("answered", 3), ("closed", 3)]
    actions = set(AuditEntry.objects.filter(action__startswith="reports.supervision").values_list("action", flat=True))
    assert actions == {f"reports.supervision.{a}" for a in ("opened", "answered", "raised", "closed")}


def test_a_second_open_supervision_is_refused_with_a_clear_message(office_user, task):
    open_supervision(office_user, task)
    with pytest.raises(GovernanceConflict, match="已有未办结的督办"):
        open_supervision(office_user, task, level=2)
    assert Supervision.objects.count() == 1


def test_a_closed_supervision_allows_a_new_one(office_user, task):
    supervision = open_supervision(office_user, task)
    services.supervision_close(user=office_user, supervision=supervision, comment="办结")
    assert open_supervision(office_user, task, level=2).pk != supervision.pk


def test_raising_must_go_up(office_user, task):
    supervision = open_supervision(office_user, task, level=2)
    for level in (1, 2):
        with pytest.raises(ValidationError) as error:
            services.supervision_raise(user=office_user, supervision=supervision, level=level, respond_by=SOON)
        assert "level" in error.value.message_dict
    assert Supervision.objects.get().level == 2 and SupervisionStep.objects.count() == 1


@pytest.mark.parametrize("field, kwargs", [
    ("instruction", {"instruction": "  "}),
    ("level", {"level": 9}),
    ("respond_by", {"respond_by": D(2020, 1, 1)}),
])
def test_bad_supervision_input_is_refused_by_field(office_user, task, field, kwargs):
    values = {"level": 1, "instruction": "请推进", "respond_by": SOON, **kwargs}
    with pytest.raises(ValidationError) as error:
        services.supervision_open(user=office_user, task=task, **values)
    assert field in error.value.message_dict
    assert not Supervision.objects.exists()


def test_only_the_office_opens_raises_and_closes(liaison, support_liaison, viewer, office_user, task):
    for user in (liaison, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            open_supervision(user, task)
    supervision = open_supervision(office_user, task)
    for user in (liaison, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.supervision_raise(user=user, supervision=supervision, level=2, respond_by=SOON)
        with pytest.raises(PermissionDenied):
            services.supervision_close(user=user, supervision=supervision, comment="办结")
    supervision.refresh_from_db()
    assert (supervision.level, supervision.state, supervision.steps.count()) == (1, "open", 1)


def test_only_the_lead_units_liaison_answers(office_user, support_liaison, viewer, task, ongoing_task):
    supervision = open_supervision(office_user, task)
    for user in (office_user, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.supervision_answer(user=user, supervision=supervision, text="答复")
    unassigned = open_supervision(office_user, ongoing_task)
    with pytest.raises(PermissionDenied):
        services.supervision_answer(user=support_liaison, supervision=unassigned, text="答复")
    assert not SupervisionStep.objects.filter(kind="answered").exists()
    assert Supervision.objects.filter(state="open").count() == 2


def test_an_answer_with_a_bad_file_writes_nothing(office_user, liaison, task):
    from django.core.files.uploadedfile import SimpleUploadedFile

    supervision = open_supervision(office_user, task)
    bad = SimpleUploadedFile("x.pdf", b"MZ not a pdf")
    with pytest.raises(ValidationError):
        services.supervision_answer(user=liaison, supervision=supervision, text="答复", files=[bad])
    supervision.refresh_from_db()
    assert supervision.state == "open" and supervision.steps.count() == 1


def test_a_closed_supervision_cannot_be_answered(office_user, liaison, task):
    supervision = open_supervision(office_user, task)
    services.supervision_close(user=office_user, supervision=supervision, comment="办结")
    with pytest.raises(GovernanceConflict):
        services.supervision_answer(user=liaison, supervision=supervision, text="迟到的答复")


# --- sign-off ---------------------------------------------------------------------------------


def test_a_completed_approved_task_with_evidence_is_signed_off_and_reopened(office_user, liaison, task, period):
    report = approved_report(liaison, office_user, task, period, files=[pdf()])
    sign_off = services.task_sign_off(user=office_user, task=task, comment="经核查已完成")
    assert sign_off.based_on_report == report
    status = services.task_with_status(task)
    assert status.state == TaskState.SIGNED_OFF
    services.task_reopen(user=office_user, task=task, reason="复查发现问题")
    assert services.task_with_status(task).state == TaskState.COMPLETED
    sign_off.refresh_from_db()
    assert sign_off.reopen_reason == "复查发现问题" and sign_off.reopened_by == office_user
    again = services.task_sign_off(user=office_user, task=task, comment="整改后再次销号", files=[pdf("复查.pdf")])
    assert SignOff.objects.filter(task=task).count() == 2 and again.attachments.count() == 1


def test_sign_off_needs_evidence(office_user, liaison, task, period):
    approved_report(liaison, office_user, task, period)  # no attachment
    with pytest.raises(ValidationError) as error:
        services.task_sign_off(user=office_user, task=task, comment="已完成")
    assert "attachments" in error.value.message_dict
    assert not SignOff.objects.exists()
    assert services.task_sign_off(user=office_user, task=task, comment="已完成", files=[pdf()]).pk


def test_sign_off_needs_a_completed_approved_report(office_user, liaison, task, period):
    with pytest.raises(GovernanceConflict):
        services.task_sign_off(user=office_user, task=task, comment="已完成", files=[pdf()])
    approved_report(liaison, office_user, task, period, status="in_progress", percent=80, files=[pdf()])
    with pytest.raises(GovernanceConflict):
        services.task_sign_off(user=office_user, task=task, comment="已完成", files=[pdf()])
    assert not SignOff.objects.exists()


def test_a_completed_but_unreviewed_report_is_not_enough(office_user, liaison, task, period):
    report_save(user=liaison, task=task, period=period,
                data=ReportInput(status="completed", progress="完成", percent=100), submit=True, files=[pdf()])
    with pytest.raises(GovernanceConflict):
        services.task_sign_off(user=office_user, task=task, comment="已完成", files=[pdf()])


def test_ongoing_tasks_cannot_be_signed_off(office_user, liaison, ongoing_task, period):
    approved_report(liaison, office_user, ongoing_task, period, files=[pdf()])
    with pytest.raises(GovernanceConflict, match="常态化"):
        services.task_sign_off(user=office_user, task=ongoing_task, comment="完成", files=[pdf()])


def test_only_the_office_signs_off_and_reopens(office_user, liaison, support_liaison, viewer, task, period):
    approved_report(liaison, office_user, task, period, files=[pdf()])
    for user in (liaison, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.task_sign_off(user=user, task=task, comment="完成")
    assert not SignOff.objects.exists()
    services.task_sign_off(user=office_user, task=task, comment="完成")
    for user in (liaison, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.task_reopen(user=user, task=task, reason="理由")
    assert SignOff.objects.get().reopened_at is None


def test_reopening_needs_a_reason_and_a_sign_off(office_user, liaison, task, period):
    with pytest.raises(GovernanceConflict):
        services.task_reopen(user=office_user, task=task, reason="理由")
    approved_report(liaison, office_user, task, period, files=[pdf()])
    services.task_sign_off(user=office_user, task=task, comment="完成")
    with pytest.raises(ValidationError):
        services.task_reopen(user=office_user, task=task, reason="  ")
    assert SignOff.objects.get().reopened_at is None


# --- extensions -------------------------------------------------------------------------------


def test_lateness_is_judged_by_the_approved_extension(office_user, liaison, task, campaign):
    def state(day):
        with time_machine.travel(datetime.datetime(day.year, day.month, day.day, 10, tzinfo=timezone.get_current_timezone())):
            qs = annotate_task_status(
                Task.objects.filter(pk=task.pk), today=day, last_due_period=period_last_due(campaign, day)
            )
            return qs.get()

    assert state(D(2026, 11, 29)).state == TaskState.OVERDUE  # 2024年底 passed
    extension = services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 30), reason="资金未到位")
    assert extension.original_date == D(2024, 12, 31)
    assert state(D(2026, 11, 29)).state == TaskState.OVERDUE  # pending changes nothing
    services.extension_decide(user=office_user, extension=extension, approve=True, approved_date=D(2027, 3, 31))
    task.refresh_from_db()
    assert task.deadline_date == D(2024, 12, 31)  # the printed deadline stays on record
    on_day = state(D(2026, 11, 29))
    assert on_day.effective_deadline == D(2027, 3, 31) and on_day.state == TaskState.ON_TRACK
    assert state(D(2027, 3, 15)).state == TaskState.DUE_SOON
    assert state(D(2027, 4, 1)).state == TaskState.OVERDUE


def test_a_rejected_extension_leaves_the_deadline_and_needs_a_reason(office_user, liaison, task):
    extension = services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 30), reason="理由")
    with pytest.raises(ValidationError):
        services.extension_decide(user=office_user, extension=extension, approve=False, comment="")
    services.extension_decide(user=office_user, extension=extension, approve=False, comment="理由不充分")
    extension.refresh_from_db()
    assert extension.state == ExtensionState.REJECTED and extension.approved_date is None
    assert services.task_with_status(task).effective_deadline == D(2024, 12, 31)
    with pytest.raises(GovernanceConflict):
        services.extension_decide(user=office_user, extension=extension, approve=True)


def test_one_pending_request_per_task_and_dates_must_be_later(office_user, liaison, task):
    with pytest.raises(ValidationError) as error:
        services.extension_request(user=liaison, task=task, requested_date=D(2024, 12, 1), reason="理由")
    assert "requested_date" in error.value.message_dict
    services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 30), reason="理由")
    with pytest.raises(GovernanceConflict, match="待审批"):
        services.extension_request(user=liaison, task=task, requested_date=D(2027, 9, 30), reason="理由")
    assert ExtensionRequest.objects.count() == 1


def test_a_second_extension_must_be_later_than_the_approved_one(office_user, liaison, task):
    first = services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 30), reason="理由")
    services.extension_decide(user=office_user, extension=first, approve=True)
    with pytest.raises(ValidationError):
        services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 1), reason="再延")
    second = services.extension_request(user=liaison, task=task, requested_date=D(2027, 9, 30), reason="再延")
    assert second.original_date == D(2027, 6, 30)


def test_only_the_lead_liaison_requests_and_only_the_office_decides(
    office_user, liaison, support_liaison, viewer, task
):
    for user in (office_user, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.extension_request(user=user, task=task, requested_date=D(2027, 6, 30), reason="理由")
    assert not ExtensionRequest.objects.exists()
    extension = services.extension_request(user=liaison, task=task, requested_date=D(2027, 6, 30), reason="理由")
    for user in (liaison, support_liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.extension_decide(user=user, extension=extension, approve=True)
    assert ExtensionRequest.objects.get().state == ExtensionState.PENDING


def test_ongoing_tasks_have_no_deadline_to_extend(liaison, ongoing_task):
    with pytest.raises(GovernanceConflict, match="常态化"):
        services.extension_request(user=liaison, task=ongoing_task, requested_date=D(2027, 6, 30), reason="理由")


def test_the_office_records_a_date_set_by_a_higher_authority(office_user, authority_task):
    assert services.task_with_status(authority_task).state == TaskState.MISSING_REPORT  # undated: never overdue
    record = services.authority_date_set(user=office_user, task=authority_task, date=D(2026, 6, 30), reason="省厅通知")
    assert (record.kind, record.state, record.approved_date) == ("authority_date", "approved", D(2026, 6, 30))
    status = services.task_with_status(authority_task)
    assert status.effective_deadline == D(2026, 6, 30) and status.state == TaskState.OVERDUE
    authority_task.refresh_from_db()
    assert authority_task.deadline_date is None


def test_only_higher_authority_tasks_get_an_authority_date_and_only_from_the_office(
    office_user, liaison, viewer, task, authority_task
):
    with pytest.raises(GovernanceConflict):
        services.authority_date_set(user=office_user, task=task, date=D(2027, 1, 1))
    for user in (liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.authority_date_set(user=user, task=authority_task, date=D(2027, 1, 1))
    assert not ExtensionRequest.objects.exists()


# --- closed periods ---------------------------------------------------------------------------


def data(**overrides):
    return ReportInput(**{"status": "in_progress", "progress": "推进中", "percent": 50, **overrides})


def test_a_closed_period_refuses_edits_and_a_reopened_report_accepts_one(office_user, liaison, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    services.period_close(user=office_user, period=period)
    with pytest.raises(ReportLocked):
        report_save(user=liaison, task=task, period=period, data=data(progress="关闭后修改"), submit=True)
    assert ProgressReport.objects.get().progress == "推进中"

    report = services.report_reopen(user=office_user, report=report, reason="数据有误,需更正")
    assert report.reopened_at is not None and report.version == 2
    assert ReportReopening.objects.get().reason == "数据有误,需更正"
    assert list(report.versions.values_list("number", "action")) == [(1, "submitted"), (2, VersionAction.REOPENED)]

    report = report_save(user=liaison, task=task, period=period, data=data(progress="更正后"), submit=True,
                         expected_version=2)
    assert report.progress == "更正后" and report.version == 3
    report = report_review(user=office_user, report=report, decision="approve")
    assert report.reopened_at is None  # the review closes the reopening
    with pytest.raises(ReportLocked):
        report_save(user=liaison, task=task, period=period, data=data(progress="再改"), submit=True)


def test_reopening_an_approved_report_sends_it_back_for_review(office_user, liaison, task, period):
    report = approved_report(liaison, office_user, task, period, status="in_progress", percent=60)
    services.period_close(user=office_user, period=period)
    report = services.report_reopen(user=office_user, report=report, reason="补充材料")
    assert report.state == ReportState.SUBMITTED
    report = report_save(user=liaison, task=task, period=period, data=data(progress="补充后"), submit=True)
    assert report.state == ReportState.SUBMITTED and report.progress == "补充后"


def test_reopening_needs_a_closed_period_and_a_reason(office_user, liaison, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    with pytest.raises(GovernanceConflict, match="尚未关闭"):
        services.report_reopen(user=office_user, report=report, reason="理由")
    services.period_close(user=office_user, period=period)
    with pytest.raises(ValidationError):
        services.report_reopen(user=office_user, report=report, reason=" ")
    report.refresh_from_db()
    assert report.reopened_at is None and report.version == 1


def test_only_the_office_closes_periods_and_reopens_reports(office_user, liaison, viewer, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    for user in (liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.period_close(user=user, period=period)
    period.refresh_from_db()
    assert period.closed_at is None
    services.period_close(user=office_user, period=period)
    for user in (liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.report_reopen(user=user, report=report, reason="理由")
    report.refresh_from_db()
    assert report.reopened_at is None
    with pytest.raises(GovernanceConflict):
        services.period_close(user=office_user, period=period)


def test_only_the_office_reopens_a_whole_period(office_user, liaison, viewer, period):
    services.period_close(user=office_user, period=period)
    for user in (liaison, viewer):
        with pytest.raises(PermissionDenied):
            services.period_reopen(user=user, period=period, reason="理由")
    with pytest.raises(ValidationError):
        services.period_reopen(user=office_user, period=period, reason="  ")
    period.refresh_from_db()
    assert period.is_closed
    services.period_reopen(user=office_user, period=period, reason="补报")
    period.refresh_from_db()
    assert not period.is_closed
    assert AuditEntry.objects.filter(action="reports.period.reopened").count() == 1

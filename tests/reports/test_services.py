"""Writing and reviewing reports: versions, conflicts, locks, permissions and attachments."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.models import ProgressReport, ReportState, ReportVersion, ReviewDecision, VersionAction
from reports.periods import period_get
from reports.services import ReportConflict, ReportInput, ReportLocked, report_review, report_save
from tasks.models import Task

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def task(campaign):
    return Task.objects.get(campaign=campaign, key="5.6")  # lead: 区应急管理局, 2024年底


@pytest.fixture
def period(campaign):
    return period_get(campaign, "2026Q4")


def data(**overrides):
    values = {"status": "in_progress", "progress": "已组织竞赛两场", "percent": 60}
    values.update(overrides)
    return ReportInput(**values)


def test_a_draft_then_a_submission_keep_both_versions(liaison, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=False)
    assert report.state == ReportState.DRAFT and report.version == 1 and report.role == "lead"
    report = report_save(
        user=liaison, task=task, period=period, data=data(progress="第二稿"), submit=True, expected_version=1
    )
    assert report.state == ReportState.SUBMITTED and report.version == 2
    assert report.first_submitted_at is not None
    versions = list(ReportVersion.objects.filter(report=report).values_list("number", "action", "progress"))
    assert versions == [(1, VersionAction.SAVED, "已组织竞赛两场"), (2, VersionAction.SUBMITTED, "第二稿")]


def test_editing_a_submitted_report_keeps_the_earlier_version(liaison, task, period):
    report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    report = report_save(user=liaison, task=task, period=period, data=data(progress="补充"), submit=False, expected_version=1)
    assert report.state == ReportState.SUBMITTED
    assert list(report.versions.values_list("progress", flat=True)) == ["已组织竞赛两场", "补充"]


def test_a_stale_version_is_a_conflict_and_writes_nothing(liaison, task, period):
    report_save(user=liaison, task=task, period=period, data=data(), submit=False)
    report_save(user=liaison, task=task, period=period, data=data(progress="同事的修改"), submit=False, expected_version=1)
    with pytest.raises(ReportConflict) as conflict:
        report_save(user=liaison, task=task, period=period, data=data(progress="我的修改"), submit=False, expected_version=1)
    assert conflict.value.current.progress == "同事的修改"
    report = ProgressReport.objects.get()
    assert report.progress == "同事的修改" and report.versions.count() == 2


def test_returned_then_resubmitted_then_approved(liaison, office_user, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    report = report_review(user=office_user, report=report, decision=ReviewDecision.RETURN, comment="请补充数据")
    assert report.state == ReportState.RETURNED and report.review_comment == "请补充数据"
    report = report_save(user=liaison, task=task, period=period, data=data(progress="已补充"), submit=True,
                         expected_version=report.version)
    assert report.state == ReportState.SUBMITTED
    report = report_review(user=office_user, report=report, decision=ReviewDecision.APPROVE)
    assert report.state == ReportState.APPROVED
    assert [r.decision for r in report.reviews.all()] == ["return", "approve"]
    with pytest.raises(ReportLocked):
        report_save(user=liaison, task=task, period=period, data=data(), submit=True)


def test_returning_needs_a_reason(liaison, office_user, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    with pytest.raises(ValidationError):
        report_review(user=office_user, report=report, decision=ReviewDecision.RETURN, comment=" ")


def test_only_the_office_reviews(liaison, viewer, task, period):
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True)
    for user in (liaison, viewer):
        with pytest.raises(PermissionDenied):
            report_review(user=user, report=report, decision=ReviewDecision.APPROVE)
    assert ProgressReport.objects.get().state == ReportState.SUBMITTED


def test_a_liaison_of_an_unassigned_unit_cannot_write(other_liaison, campaign, period):
    task = Task.objects.get(campaign=campaign, key="7.5")  # 区应急管理局 alone, no group
    with pytest.raises(PermissionDenied):
        report_save(user=other_liaison, task=task, period=period, data=data(), submit=True)
    assert not ProgressReport.objects.exists()


def test_office_and_viewers_cannot_write_reports(office_user, viewer, task, period):
    for user in (office_user, viewer):
        with pytest.raises(PermissionDenied):
            report_save(user=user, task=task, period=period, data=data(), submit=True)


def test_a_member_of_a_supporting_group_writes_a_contribution(other_liaison, campaign, period, designate):
    designate("5.7", "区农业农村局")  # support: 区安委会相关成员单位, of which the office named it
    task = Task.objects.get(campaign=campaign, key="5.7")
    report = report_save(user=other_liaison, task=task, period=period, data=data(), submit=True)
    assert report.role == "support"


def test_a_closed_period_refuses_new_reports(liaison, task, period):
    from django.utils import timezone

    period.closed_at = timezone.now()
    period.save()
    with pytest.raises(ReportLocked):
        report_save(user=liaison, task=task, period=period, data=data(), submit=True)


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"progress": "  "}, "progress"),
        ({"percent": 101}, "percent"),
        ({"percent": None}, "percent"),
        ({"status": "completed", "percent": 80}, "percent"),
        ({"status": "bogus"}, "status"),
    ],
)
def test_bad_input_is_refused_with_a_field_message(liaison, task, period, overrides, field):
    with pytest.raises(ValidationError) as error:
        report_save(user=liaison, task=task, period=period, data=data(**overrides), submit=True)
    assert field in error.value.message_dict
    assert not ProgressReport.objects.exists()


def test_ongoing_tasks_have_no_percent(liaison, campaign, period):
    task = Task.objects.get(campaign=campaign, key="5.7")  # 常态化
    report = report_save(user=liaison, task=task, period=period, data=data(percent=40), submit=True)
    assert report.percent is None


def test_a_pdf_attachment_is_stored(liaison, task, period):
    upload = SimpleUploadedFile("竞赛通知.pdf", PDF, content_type="application/pdf")
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=True, files=[upload])
    attachment = report.attachments.get()
    assert (attachment.original_name, attachment.content_type) == ("竞赛通知.pdf", "application/pdf")


def test_an_executable_named_pdf_is_refused(liaison, task, period):
    upload = SimpleUploadedFile("通知.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError, match="文件类型不被接受"):
        report_save(user=liaison, task=task, period=period, data=data(), submit=True, files=[upload])
    assert not ProgressReport.objects.exists()


def test_a_too_large_attachment_is_refused(liaison, task, period, settings):
    settings.UPLOAD_MAX_BYTES = 1000
    upload = SimpleUploadedFile("大.pdf", PDF + b"0" * 2000, content_type="application/pdf")
    with pytest.raises(ValidationError, match="超过"):
        report_save(user=liaison, task=task, period=period, data=data(), submit=True, files=[upload])


def test_a_real_xlsx_is_accepted_and_a_macro_workbook_refused(liaison, task, period):
    import zipfile

    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    ok = SimpleUploadedFile("台账.xlsx", buffer.getvalue())
    report = report_save(user=liaison, task=task, period=period, data=data(), submit=False, files=[ok])
    assert report.attachments.get().content_type.endswith("spreadsheetml.sheet")

    macro = io.BytesIO()
    with zipfile.ZipFile(macro, "w") as archive, zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source:
        for item in source.infolist():
            archive.writestr(item, source.read(item))
        archive.writestr("xl/vbaProject.bin", b"macro")
    bad = SimpleUploadedFile("台账.xlsx", macro.getvalue())
    with pytest.raises(ValidationError):
        report_save(user=liaison, task=task, period=period, data=data(), submit=False, files=[bad], expected_version=1)

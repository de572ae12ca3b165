"""Helpers shared by the page tests: a report written through the service, a form payload."""

from reports.periods import period_get
from reports.services import ReportInput, report_save
from tasks.models import Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PERIOD = "2026Q4"


def task_named(campaign, key: str) -> Task:
    return Task.objects.get(campaign=campaign, key=key)


def write_report(user, task, *, submit=True, period_code=PERIOD, files=(), **overrides):
    values = {"status": "in_progress", "progress": "已组织竞赛两场", "percent": 60}
    values.update(overrides)
    period = period_get(task.campaign, period_code)
    return report_save(user=user, task=task, period=period, data=ReportInput(**values), submit=submit, files=files)


def form_payload(**overrides):
    values = {
        "status": "in_progress",
        "percent": "60",
        "progress": "开展专项检查 12 次",
        "problems": "",
        "next_steps": "",
        "version": "",
        "action": "submit",
    }
    values.update(overrides)
    return values


def pdf_upload(name="佐证.pdf", content=PDF):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")

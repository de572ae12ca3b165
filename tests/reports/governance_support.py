"""Shared fixtures and helpers of the governance tests (imported by tests/reports/test_governance_*.py)."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from reports.periods import period_get
from reports.services import ReportInput, report_review, report_save
from tasks.models import Task

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
TODAY = datetime.date(2026, 11, 29)


def pdf(name: str = "佐证.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def task(campaign):
    """5.6: lead 区应急管理局 alone, supported by 区安委会相关成员单位 (incl. 区农业农村局), 2024年底."""
    return Task.objects.get(campaign=campaign, key="5.6")


@pytest.fixture
def ongoing_task(campaign):
    """7.5: 常态化, lead 区应急管理局 only: 区农业农村局 is not assigned."""
    return Task.objects.get(campaign=campaign, key="7.5")


@pytest.fixture
def authority_task(campaign):
    """7.4: 根据上级推广应用时间节点确定 (no date yet)."""
    return Task.objects.get(campaign=campaign, key="7.4")


@pytest.fixture
def period(campaign):
    return period_get(campaign, "2026Q4")


@pytest.fixture
def support_liaison(other_liaison, designate):
    """区农业农村局 supports 5.6: the office named it among 区安委会相关成员单位."""
    designate("5.6", "区农业农村局")
    return other_liaison


def approved_report(liaison, office_user, task, period, *, status="completed", percent=100, files=()):
    report = report_save(
        user=liaison, task=task, period=period,
        data=ReportInput(status=status, progress="已全部完成", percent=percent), submit=True, files=files,
    )
    return report_review(user=office_user, report=report, decision="approve")

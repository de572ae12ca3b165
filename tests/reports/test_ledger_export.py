import datetime
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from reports.ledger import ledger_xlsx
from reports.models import ProgressReport, ReportState
from reports.periods import period_get
from tasks.models import Task
from tasks.selectors import task_list

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 29)


def test_the_ledger_has_one_row_per_task_with_state_and_a_column_per_period(campaign, liaison):
    task = Task.objects.get(campaign=campaign, key="7.5")
    period = period_get(campaign, "2026Q3")
    ProgressReport.objects.create(
        task=task, unit=liaison.unit, period=period, role="lead", state=ReportState.APPROVED, status="in_progress",
        percent=60, progress="=已完成在线监测接入", created_by=liaison, updated_by=liaison, submitted_at=timezone.now(),
    )
    sheet = openpyxl.load_workbook(io.BytesIO(ledger_xlsx(campaign=campaign, today=TODAY))).worksheets[0]
    headers = [c.value for c in sheet[2]]
    assert headers[:10] == ["编号", "落实举措", "具体任务", "牵头单位", "完成时限", "状态", "红黄绿", "推进情况", "完成进度(%)", "最新报送内容"]
    assert headers[10] == "2024Q1" and headers[-1] == "2026Q4"
    rows = {r[0].value: [c.value for c in r] for r in sheet.iter_rows(min_row=3)}
    assert len(rows) == 72
    row = rows["7.5"]
    assert row[3] == "区应急管理局" and row[4] == "常态化"
    assert row[7] == "推进中" and row[8] == 60
    assert row[9] == "【2026Q3】=已完成在线监测接入"
    assert row[headers.index("2026Q3")] == "已通过"
    assert row[headers.index("2026Q2")] == "未报送"
    assert rows["2.2"][5] == "已逾期" and rows["2.2"][6] == "红"


def test_the_ledger_costs_the_same_queries_for_few_or_all_tasks(campaign):
    ledger_xlsx(campaign=campaign, today=TODAY)  # periods created once
    with CaptureQueriesContext(connection) as few:
        ledger_xlsx(campaign=campaign, today=TODAY, tasks=task_list(campaign=campaign, measure=7))
    with CaptureQueriesContext(connection) as all_:
        ledger_xlsx(campaign=campaign, today=TODAY)
    assert len(few) == len(all_) <= 8

"""Quarterly rollups: frozen rows, versions, the workbook, closing the period, concurrency, the job and beat."""

import io
import threading

import openpyxl
import pytest
from celery import signals
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from audit.models import AuditEntry
from dashboard.models import Rollup, RollupTaskRow
from dashboard.services import rollup_build
from reports.models import ReportingPeriod

from .conftest import add_reports


def build(small, code="2026Q3", **kwargs):
    return rollup_build(campaign=small["campaign"], period_code=code, **kwargs)


@pytest.mark.django_db
def test_a_rollup_freezes_every_task_and_leaves_the_period_open(small, office_user):
    rollup, created = build(small, user=office_user)
    assert created and rollup.version == 1 and rollup.created_by == office_user
    rows = {r.task_key: r for r in rollup.rows.all()}
    assert len(rows) == 8
    # Task states as of the quarter's end (2026-09-30), reporting as of its deadline (2026-10-05).
    assert rows["1.1"].state == "overdue" and rows["1.1"].rag == "red" and rows["1.1"].reporting == "on_time"
    assert rows["1.3"].state == "on_track"  # due 2026-10-31: overdue only after the quarter
    assert rows["1.2"].reporting == "missing"  # first sent on 2026-10-10, after the deadline
    assert rows["1.6"].state == "completed" and rows["1.6"].percent == 100
    assert rows["1.7"].lead_units == "测试成员单位" and "【测试甲局】" in rows["1.7"].lead_report
    assert rows["1.7"].state == "missing_report"  # nobody reported on it for 2026Q2, due by then
    assert rollup.snapshot["tasks"]["overdue"] == 2 and rollup.snapshot["reports"]["missing"] == 2
    assert rollup.snapshot["as_of"] == "2026-09-30" and rollup.snapshot["reports_as_of"] == "2026-10-05"
    # Per task, over the lead units that owed a report: T7's group members 甲局 (reported) and 乙局
    # (did not) — the task's reporting is missing until every lead unit that owed it has reported.
    assert rollup.snapshot["reporting"] == {"on_time": 6, "late": 0, "missing": 2, "not_owed": 0}
    period = ReportingPeriod.objects.get(pk=small["q3"].pk)
    assert period.closed_at is None  # closing is the office's explicit act (test_rollup_periods)
    assert not AuditEntry.objects.filter(action="reports.period.closed").exists()
    assert AuditEntry.objects.filter(action="dashboard.rollup.built").count() == 1


@pytest.mark.django_db
def test_rebuilding_makes_a_new_version_and_keeps_the_old(small):
    first, _ = build(small)
    second, created = build(small)
    assert created and (first.version, second.version) == (1, 2)
    assert Rollup.objects.count() == 2 and RollupTaskRow.objects.count() == 16
    assert second.snapshot["changes"]["previous"]["id"] == first.pk


@pytest.mark.django_db
def test_the_workbook_has_the_four_sheets_and_safe_text_cells(small):
    rollup, _ = build(small)
    with rollup.xlsx.open("rb") as handle:
        wb = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert wb.sheetnames == ["汇总", "任务明细", "单位报送情况", "变化", "考核排名"]
    detail = wb["任务明细"]
    assert [c.value for c in detail[3]][:4] == ["编号", "举措类别", "主要任务", "具体任务"]
    rows = {row[0].value: row for row in detail.iter_rows(min_row=4)}
    assert rows["1.1"][6].value == "已逾期" and rows["1.1"][7].value == "红"
    injected = rows["1.6"][10]
    assert injected.value.startswith("【测试甲局】=HYPERLINK") and injected.data_type == "s"
    summary = {row[0].value: row[1].value for row in wb["汇总"].iter_rows(min_row=4) if row[0].value}
    assert summary["已逾期"] == 2 and summary["未报送"] == 2 and summary["任务总数"] == 8
    units = {row[0].value: [c.value for c in row] for row in wb["单位报送情况"].iter_rows(min_row=4)}
    assert units["测试乙局"][1:3] == [1, 0]


@pytest.mark.django_db
def test_the_workbook_prints_like_the_task_list_export(small):
    """Merged title, frozen header repeated on every printed page, A4 landscape, widths, numbers as numbers."""
    rollup, _ = build(small)
    with rollup.xlsx.open("rb") as handle:
        wb = openpyxl.load_workbook(io.BytesIO(handle.read()))
    for sheet in wb.worksheets:
        assert sheet["A1"].value.startswith("测试2026年第三季度汇总(第1版)"), sheet.title
        assert any(str(r).startswith("A1:") for r in sheet.merged_cells.ranges), sheet.title
        assert sheet.freeze_panes == "A4" and sheet.print_title_rows == "$3:$3", sheet.title
        assert sheet.page_setup.orientation == "landscape" and int(sheet.page_setup.paperSize) == 9
        assert sheet.sheet_properties.pageSetUpPr.fitToPage  # one page wide (1 is the default width)
        assert sheet.page_setup.fitToWidth in (None, 1) and sheet.page_setup.fitToHeight == 0
        assert "&P" in sheet.oddFooter.center.text
    detail = wb["任务明细"]
    assert detail.column_dimensions["D"].width > 40 and detail.column_dimensions["A"].width < 10
    rows = {row[0].value: row for row in detail.iter_rows(min_row=4)}
    assert rows["1.6"][9].value == 100 and rows["1.6"][9].data_type == "n"
    units = {row[0].value: row for row in wb["单位报送情况"].iter_rows(min_row=4)}
    assert units["测试甲局"][8].data_type == "n" and isinstance(units["测试甲局"][8].value, (int, float))
    assert "季度季度" not in rollup.xlsx.name


@pytest.mark.django_db
def test_the_second_rollup_lists_newly_overdue_tasks(small, frozen_today):
    build(small)
    # T3 (10-31), T4 (12-15) and T5 (12-20) are overdue now; the 2026Q3 rollup is as of 09-30.
    frozen_today.move_to("2026-12-25 10:00+08:00")
    rollup, _ = build(small, code="2026Q4")
    assert {i["key"] for i in rollup.snapshot["changes"]["newly_overdue"]} == {"1.3", "1.4", "1.5"}
    with rollup.xlsx.open("rb") as handle:
        changes = openpyxl.load_workbook(io.BytesIO(handle.read()))["变化"]
    assert sorted(r[1].value for r in changes.iter_rows(min_row=4)) == ["1.3", "1.4", "1.5"]


@pytest.mark.django_db
def test_the_build_uses_the_same_number_of_queries_at_two_data_sizes(campaign, office_user, frozen_today):
    rollup_build(campaign=campaign, period_code="2026Q3")  # the first warms up; compare rebuilds
    with CaptureQueriesContext(connection) as smaller:
        rollup_build(campaign=campaign, period_code="2026Q3")
    assert add_reports(campaign, office_user) > 50
    with CaptureQueriesContext(connection) as bigger:
        rollup, _ = rollup_build(campaign=campaign, period_code="2026Q3")
    assert rollup.version == 3 and rollup.rows.count() == 72
    assert len(bigger) == len(smaller)


@pytest.mark.django_db
def test_the_command_builds_a_rollup_synchronously(small, capsys):
    call_command("build_rollup", "2026Q3", "--campaign", str(small["campaign"].pk))
    assert Rollup.objects.filter(period=small["q3"], version=1).exists()
    assert "第1版" in capsys.readouterr().out


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_builds_make_one_version(small):
    # The same request delivered twice (a redelivered or duplicated job): one requested_at for both,
    # so the outcome does not depend on how late the machine schedules the second thread.
    barrier = threading.Barrier(2)
    results, errors = [], []
    requested_at = timezone.now()

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(build(small, requested_at=requested_at))
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors
    assert sorted(created for _, created in results) == [False, True]
    assert Rollup.objects.filter(period=small["q3"]).count() == 1


def test_the_daily_rollup_job_is_in_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["dashboard-build-due-rollups"]
    assert entry["task"] == "dashboard.jobs.build_due_rollups"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({6}, {30})


@pytest.mark.django_db(transaction=True)
def test_the_office_button_queues_the_job_and_a_real_worker_builds_it(client, office_user, small, celery_worker):
    done = threading.Event()

    def finished(sender=None, **kwargs):
        if sender is not None and sender.name == "dashboard.jobs.build_rollup":
            done.set()

    signals.task_postrun.connect(finished, weak=False)
    try:
        client.force_login(office_user)
        response = client.post("/rollups/build/", {"campaign": small["campaign"].pk, "period": "2026Q3"}, follow=True)
        assert "已开始生成" in response.content.decode()
        assert done.wait(timeout=60)
    finally:
        signals.task_postrun.disconnect(finished)
    rollup = Rollup.objects.get(period=small["q3"])
    assert rollup.created_by == office_user and rollup.version == 1
    download = client.get(f"/rollups/{rollup.pk}/download/")
    assert download.status_code == 200
    assert "filename*=utf-8''" in download["Content-Disposition"]
    assert b"".join(download.streaming_content)[:2] == b"PK"


@pytest.mark.django_db
def test_the_daily_job_builds_due_periods_once(small):
    from dashboard.jobs import build_due_rollups

    built = build_due_rollups()
    # Every period due by 2026-11-29 (2024Q1 … 2026Q3: 11) of each active campaign — this one and
    # the seeded annex campaign, whose periods were made when it was seeded — gets one rollup;
    # a second run adds none.
    assert Rollup.objects.filter(campaign=small["campaign"]).count() == 11
    assert len(built) == Rollup.objects.count() == 22
    assert build_due_rollups() == []


@pytest.mark.django_db
def test_liaisons_cannot_download_or_request_rollups(client, liaison, small):
    rollup, _ = build(small)
    client.force_login(liaison)
    assert client.get(f"/rollups/{rollup.pk}/download/").status_code == 403
    assert client.post("/rollups/build/", {"campaign": small["campaign"].pk, "period": "2026Q3"}).status_code == 403
    assert Rollup.objects.count() == 1


@pytest.mark.django_db
def test_viewers_can_list_compare_and_download_but_not_request(client, viewer, small):
    first, _ = build(small)
    second, _ = build(small)
    client.force_login(viewer)
    assert "第2版" in client.get("/rollups/").content.decode()
    page = client.get("/rollups/compare/", {"a": first.pk, "b": second.pk})
    assert page.status_code == 200 and "已逾期" in page.content.decode()
    assert client.get("/rollups/compare/", {"a": 999999, "b": second.pk}).status_code == 404
    assert client.post("/rollups/build/", {"campaign": small["campaign"].pk, "period": "2026Q3"}).status_code == 403

"""Faults of the job machinery, with real processes: a worker killed mid-rollup, and Redis stopped then back.

Each test starts its own redis-server on a free port (so the session's in-process worker on the
shared Redis never takes these jobs) and `celery -A yinzhou_campaign worker --pool=solo`
subprocesses on this test's database. Nothing sleeps for a guessed time: the tests poll
PostgreSQL (pg_stat_activity, pg_locks, our tables) with a deadline on every wait.
"""

from __future__ import annotations

import io
import signal
import time

import openpyxl
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from audit.models import AuditEntry
from dashboard.jobs import build_due_rollups, build_rollup
from dashboard.models import Rollup, RollupStatus, RollupTaskRow
from ops.jobs import heartbeat
from ops.models import Heartbeat
from reports.models import ReportingPeriod
from reports.periods import periods_ensure
from yinzhou_campaign.queueing import enqueue

from .faults import dead_port
from .processes import RedisServer, start_worker, stop_process, wait_until, worker_log

pytestmark = pytest.mark.slow

PERIOD = "2026Q3"  # due 2026-10-05: past on 2026-11-29


def _rows(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def backend_waiting_to_insert_into(table: str) -> int | None:
    """The PostgreSQL backend (pid) of another session blocked on a lock while inserting into `table`."""
    rows = _rows(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND wait_event_type = 'Lock' AND query LIKE %s",
        [f'INSERT INTO "{table}"%'],
    )
    return rows[0][0] if rows else None


def backend_has_written(pid: int, table: str) -> bool:
    """Whether backend `pid` holds the lock an INSERT/UPDATE takes on `table` (in its open transaction)."""
    return bool(_rows(
        "SELECT 1 FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
        "WHERE l.pid = %s AND l.granted AND l.mode = 'RowExclusiveLock' AND c.relname = %s",
        [pid, table],
    ))


def backend_alive(pid: int) -> bool:
    return bool(_rows("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid]))


def rollup_files() -> set[str]:
    folder = settings.MEDIA_ROOT / "rollups" / PERIOD
    return {str(p.relative_to(settings.MEDIA_ROOT)) for p in folder.glob("*.xlsx")} if folder.exists() else set()


def run_after_everything_queued(broker: RedisServer, worker) -> None:
    """Queue a heartbeat behind the jobs already queued and wait for it: the solo worker (prefetch 1,
    FIFO list) then has finished and acknowledged everything before it; Redis holds nothing more."""
    Heartbeat.objects.filter(name="worker").delete()
    assert enqueue(heartbeat)
    wait_until(lambda: Heartbeat.objects.filter(name="worker").exists() or worker.poll() is not None,
               timeout=120, what="the worker to get through its queue")
    assert worker.poll() is None, worker_log(worker)
    client = redis.Redis(port=broker.port, socket_timeout=2)
    assert client.llen("celery") == 0 and client.hlen("unacked") == 0, "a job is still queued or unacknowledged"


def assert_one_complete_rollup(campaign, period: ReportingPeriod) -> Rollup:
    rollups = list(Rollup.objects.filter(campaign=campaign, period=period))
    assert len(rollups) == 1, [str(r) for r in rollups]
    rollup = rollups[0]
    tasks = campaign.tasks.count()
    assert rollup.version == 1 and rollup.status == RollupStatus.READY
    assert rollup.rows.count() == tasks == 72
    assert rollup.snapshot["reporting"] and sum(rollup.snapshot["reporting"].values()) == tasks
    with rollup.xlsx.open("rb") as handle:
        workbook = openpyxl.load_workbook(io.BytesIO(handle.read()))
    assert workbook.sheetnames == ["汇总", "任务明细", "单位报送情况", "变化", "考核排名"]
    assert workbook["任务明细"].max_row == tasks + 3  # title, note, header and one row per task
    return rollup


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_in_the_middle_of_a_rollup_leaves_exactly_one_correct_rollup(campaign, tmp_path, broker_at):
    periods_ensure(campaign)
    period = ReportingPeriod.objects.get(campaign=campaign, code=PERIOD)
    broker = RedisServer(dead_port(), tmp_path)
    audit_table = AuditEntry._meta.db_table
    # Another session holds the audit table: the build's audit entry ("rollup built"), written
    # after the rollup, its 72 rows and its workbook file, waits there — mid-build.
    blocker = connection.get_new_connection(connection.get_connection_params())
    blocker.autocommit = False
    first = second = None
    try:
        blocker.cursor().execute(f'LOCK TABLE "{audit_table}" IN SHARE MODE')
        broker.start()
        broker_at(broker.url)
        earlier_files = rollup_files()  # MEDIA_ROOT is shared by the whole test session
        assert enqueue(build_rollup, campaign.pk, PERIOD, requested_at=timezone.now().isoformat())
        # A 1 s visibility timeout: the next worker is handed the killed worker's job when it starts.
        first = start_worker(broker_url=broker.url, logdir=tmp_path, visibility_timeout=1)
        pid = wait_until(
            lambda: backend_waiting_to_insert_into(audit_table) or (first.poll() is not None and -1),
            timeout=120, what="the worker's build to reach its audit entry",
        )
        assert pid != -1, worker_log(first)
        assert backend_has_written(pid, Rollup._meta.db_table)
        assert backend_has_written(pid, RollupTaskRow._meta.db_table)
        (killed_file,) = rollup_files() - earlier_files  # the workbook is already on disk

        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        blocker.rollback()  # the lock goes; the orphaned backend finds its client gone and rolls back
        wait_until(lambda: not backend_alive(pid), timeout=30, what="the killed worker's transaction to end")

        # Nothing of the killed build is visible: no rollup, no rows, no audit.
        assert not Rollup.objects.exists() and not RollupTaskRow.objects.exists()
        assert not AuditEntry.objects.filter(action="dashboard.rollup.built").exists()

        # acks_late: the job was never acknowledged, so Redis hands it to the next worker.
        second = start_worker(broker_url=broker.url, logdir=tmp_path, visibility_timeout=1)
        wait_until(lambda: Rollup.objects.filter(period=period).exists() or second.poll() is not None,
                   timeout=120, what="the redelivered build")
        run_after_everything_queued(broker, second)

        rollup = assert_one_complete_rollup(campaign, period)
        period.refresh_from_db()
        assert period.closed_at is None  # a rollup never closes its period
        assert AuditEntry.objects.filter(action="dashboard.rollup.built").count() == 1
        # The killed build's workbook is left on disk, but no rollup points at it.
        assert rollup.xlsx.name != killed_file
        assert not Rollup.objects.filter(xlsx=killed_file).exists()
    finally:
        blocker.rollback()
        blocker.close()
        if first is not None:
            stop_process(first, sig=signal.SIGKILL)
        if second is not None:
            stop_process(second)
        broker.stop()


@pytest.mark.django_db(transaction=True)
def test_jobs_resume_when_redis_returns(client, office_user, campaign, tmp_path, broker_at):
    periods_ensure(campaign)
    period = ReportingPeriod.objects.get(campaign=campaign, code=PERIOD)
    broker = RedisServer(dead_port(), tmp_path)  # not started yet: Redis is down
    worker = None
    try:
        broker_at(broker.url)
        client.force_login(office_user)
        started = time.monotonic()
        response = client.post("/rollups/build/", {"campaign": campaign.pk, "period": PERIOD}, follow=True)
        assert time.monotonic() - started < 3
        assert response.status_code == 200
        assert "后台任务服务暂时不可用" in response.content.decode()
        assert AuditEntry.objects.filter(action="dashboard.rollup.requested").count() == 1
        assert not Rollup.objects.exists()

        # Redis comes back; a worker starts; beat sends the daily catch-up job.
        broker.start()
        broker_at(broker.url)
        worker = start_worker(broker_url=broker.url, logdir=tmp_path)
        assert enqueue(build_due_rollups)
        due = ReportingPeriod.objects.filter(campaign=campaign, due_date__lt=timezone.localdate())
        assert due.filter(pk=period.pk).exists()
        run_after_everything_queued(broker, worker)
        # The next day's run (or a second beat) adds nothing.
        assert enqueue(build_due_rollups)
        run_after_everything_queued(broker, worker)

        assert_one_complete_rollup(campaign, period)
        assert Rollup.objects.filter(campaign=campaign).count() == due.count()
        assert sorted(Rollup.objects.values_list("period_id", flat=True)) == sorted(due.values_list("pk", flat=True))
    finally:
        if worker is not None:
            stop_process(worker)
        broker.stop()

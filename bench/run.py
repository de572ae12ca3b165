"""Measure the pages and services on a generated data set (see bench/generate.py).

    .venv/bin/python bench/run.py --database yz_bench --label full

For each target: median and 95th-percentile server time and the SQL query count, measured
in-process with django.test.Client (or by calling the service) inside CaptureQueriesContext,
`--repeat` times after two warm-up calls. Then requests per second of one page under
`gunicorn yinzhou_campaign.wsgi -w 2` with a bounded concurrent load from a thread pool on
127.0.0.1, and the peak resident memory (VmHWM) of the web processes.

Pages are data: add a new page as one line in PAGES. A page that answers 404 (not built on this
branch yet) is reported as skipped, never silently dropped. Results go to
bench/results/<label>.json; bench/report.py turns the results into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import math
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import setup_django  # noqa: E402

LEAD_UNIT = "区应急管理局"  # lead of many tasks: the heaviest ordinary liaison
LEAD_TASK = "7.5"  # led by 区应急管理局 alone


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # formatted with the context: {task_key}, {campaign_id}
    user: str  # "liaison" or "office"
    target_ms: float | None
    # Before every call: "cold" clears Django's cache (no stored overview: dashboard.caching);
    # "changed" records a change first (an audit entry), so the stored overview is outdated.
    prepare: str = ""


# One line per page. Paths of pages other branches are building are listed already: on a
# branch without them they answer 404 and are reported as skipped.
PAGES = [
    Page("我的任务 (my tasks)", "/my/", "liaison", 100),
    Page("任务页面 (task page)", "/tasks/{campaign_id}/{task_key}/", "liaison", 100),
    Page("API 任务列表 (API task list)", "/api/v1/tasks/", "liaison", 100),
    Page("任务清单 (task list, all 72)", "/tasks/", "liaison", 100),
    Page("任务清单 (task list, one measure)", "/tasks/?measure=7", "liaison", 100),
    Page("驾驶舱 (dashboard, one campaign)", "/dashboard/?campaign={campaign_id}", "office", 100),
    # All campaigns: the overview is built ahead by the worker and stored (dashboard.caching).
    # "cached": a repeated view; "after a change": the stored overview is outdated, so the view
    # shows it marked as updating and queues its rebuild; "no stored overview": nothing stored
    # (after a deploy or a cache flush), the view computes it — the work the rebuild job does.
    Page("驾驶舱 (dashboard, all campaigns, cached)", "/dashboard/?campaign=all", "office", 500),
    Page("驾驶舱 (dashboard, all campaigns, after a change)", "/dashboard/?campaign=all", "office", 500,
         prepare="changed"),
    Page("驾驶舱 (dashboard, all campaigns, no stored overview)", "/dashboard/?campaign=all", "office", None,
         prepare="cold"),
    # The same figures as JSON (what the page's charts are drawn from), without the HTML.
    Page("驾驶舱 API (one campaign)", "/api/v1/dashboard/?campaign={campaign_id}", "office", 100),
    Page("驾驶舱 API (all campaigns, cached)", "/api/v1/dashboard/?campaign=all", "office", 500),
    Page("驾驶舱 API (all campaigns, after a change)", "/api/v1/dashboard/?campaign=all", "office", 500,
         prepare="changed"),
    Page("驾驶舱 API (all campaigns, no stored overview)", "/api/v1/dashboard/?campaign=all", "office", None,
         prepare="cold"),
    Page("任务状态清单 (task list, overdue)", "/tasks/?state=overdue", "office", 100),
    Page("报送审核 (review queue)", "/review/", "office", 100),
    # 系统管理 (issue 14): the lists that grow with the city's accounts and units, and the audit log.
    Page("系统管理 · 账号 (accounts by unit)", "/system/accounts/", "office", 200),
    Page("系统管理 · 单位 (units)", "/system/units/", "office", 200),
    Page("操作日志 (audit log, first page)", "/audit/", "office", 200),
    Page("未报送清单 (missing reports, by unit)", "/reports/missing/?campaign={campaign_id}", "office", 100),
    Page("督办 (supervisions, receipts and history)", "/governance/supervisions/?campaign={campaign_id}", "office", 100),
    Page("提醒记录 (reminder log)", "/reminders/", "office", 100),
    Page("我的通知 (notifications)", "/notifications/", "liaison", 100),
    Page("年度考核 (annual assessment)", "/assessment/?campaign={campaign_id}", "office", 100),
    # 目标指标 (issue 17): 37 indicators, their units and every approved value up to today.
    Page("目标指标 (indicator list)", "/indicators/?campaign={campaign_id}", "liaison", 100),
    Page("目标指标 API (indicators)", "/api/v1/indicators/?campaign={campaign_id}", "office", 100),
]
# The page put under gunicorn load: the first of these that exists.
LOAD_PAGES = ["/my/", "/tasks/"]
EXCEL_TASKS = 10_000
EXCEL_REPEAT = 3  # each export/import of 10,000 tasks takes seconds
MEMORY_TARGET_MB = 300
SLOW_MS = 5000  # a page slower than this on its first call is measured once, not `repeat` times


@dataclass
class Measurement:
    name: str
    target_ms: float | None
    median_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    cpu_ms: float | None = None
    repeat: int = 0
    status: str = "ok"  # ok | skipped | error
    note: str = ""

    @property
    def met(self) -> bool | None:
        if self.status != "ok" or self.target_ms is None:
            return None
        return self.median_ms <= self.target_ms


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p95 of 30 values is the 29th smallest)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1]


def measure(fn, *, repeat: int, warmup: int = 2, before=None) -> tuple[float, float, int, float]:
    """(median ms, p95 ms, queries, median CPU ms of this process) of calling fn.

    `before`, if given, runs before each call, outside the measured time and query count.

    The wall time includes waiting for PostgreSQL and for the CPU when the machine is busy; the
    CPU time is what the Python side alone spent, a figure other processes disturb far less.
    The query count must not vary between identical calls.
    """
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    before = before or (lambda: None)
    for _ in range(warmup):
        before()
        fn()
    times, cpu, counts = [], [], []
    for _ in range(repeat):
        before()
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            fn()
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        counts.append(len(captured))
    if len(set(counts)) != 1:
        raise AssertionError(f"query count varies between identical calls: {sorted(set(counts))}")
    return statistics.median(times), percentile(times, 0.95), counts[0], statistics.median(cpu)


@dataclass
class Context:
    campaign_id: int
    task_key: str
    liaison: object
    office: object
    period: object

    def format(self, path: str) -> str:
        return path.format(task_key=self.task_key, campaign_id=self.campaign_id)


def context_build() -> Context:
    from django.utils import timezone

    from departments.models import Role, User
    from reports.periods import period_current
    from tasks.selectors import campaign_current

    campaign = campaign_current()
    liaison = User.objects.filter(role=Role.LIAISON, unit__name=LEAD_UNIT).order_by("id").first()
    office = User.objects.filter(role=Role.OFFICE).order_by("id").first() or User.objects.filter(
        is_superuser=True
    ).first()
    return Context(
        campaign_id=campaign.pk,
        task_key=LEAD_TASK,
        liaison=liaison,
        office=office,
        period=period_current(campaign, timezone.localdate()),
    )


def measure_page(page: Page, ctx: Context, *, repeat: int) -> Measurement:
    from django.test import Client

    result = Measurement(name=page.name, target_ms=page.target_ms, repeat=repeat)
    client = Client()
    client.force_login(ctx.liaison if page.user == "liaison" else ctx.office)
    path = ctx.format(page.path)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    prepare = _page_prepare(page, ctx)
    prepare()
    with CaptureQueriesContext(connection) as captured:
        started, started_cpu = time.perf_counter(), time.process_time()
        first = client.get(path)
        first_ms = (time.perf_counter() - started) * 1000
        first_cpu = (time.process_time() - started_cpu) * 1000
    if first.status_code == 404:
        result.status, result.note = "skipped", f"{path} is not on this branch (404)"
        return result
    if first.status_code != 200:
        result.status, result.note = "error", f"{path} answered {first.status_code}"
        return result

    if first_ms > SLOW_MS:
        # Far off its target: one (cold) call is the figure; repeating it would take many minutes.
        result.median_ms = result.p95_ms = first_ms
        result.cpu_ms, result.queries, result.repeat = first_cpu, len(captured), 1
        result.note = f"GET {path}: one call only (over {SLOW_MS / 1000:g} s, not repeated)"
        return result

    def get():
        response = client.get(path)
        assert response.status_code == 200, response.status_code

    result.median_ms, result.p95_ms, result.queries, result.cpu_ms = measure(get, repeat=repeat, before=prepare)
    result.note = f"GET {path}"
    return result


def _page_prepare(page: Page, ctx: Context):
    """What runs before each call of a page, outside the measured time (see Page.prepare)."""
    from django.core.cache import cache

    if page.prepare == "cold":
        return cache.clear
    if page.prepare == "changed":
        from django.utils import timezone

        from audit.services import log_action
        from dashboard.caching import overview_lock_key
        from dashboard.selectors import dashboard_scope

        def change():
            # A real change (the fingerprint's audit part), and no rebuild queued yet: each
            # measured call finds the overview outdated and queues its rebuild.
            log_action("bench.change", user=ctx.office, data={"why": "make the stored overview outdated"})
            scope = dashboard_scope(campaign_param="all", period_param=None, today=timezone.localdate())
            cache.delete(overview_lock_key(scope))

        return change
    return lambda: None


def measure_report_save(ctx: Context, *, repeat: int, submit: bool) -> Measurement:
    """reports.services.report_save on the liaison's own lead report (committed, like a real save)."""
    from reports.services import ReportInput, report_save
    from tasks.models import Task

    task = Task.objects.get(campaign_id=ctx.campaign_id, key=ctx.task_key)
    name = "报送 submit (report_save)" if submit else "保存草稿 save draft (report_save)"
    result = Measurement(name=name, target_ms=100, repeat=repeat)
    data = ReportInput(status="in_progress", progress="本季度完成隐患排查 12 次,整改到位。", percent=80,
                       problems="个别企业整改滞后。", next_steps="下季度开展复查。")

    def save():
        report_save(user=ctx.liaison, task=task, period=ctx.period, data=data, submit=submit)

    result.median_ms, result.p95_ms, result.queries, result.cpu_ms = measure(save, repeat=repeat)
    result.note = f"task {task.key}, {ctx.period.code}, {ctx.liaison.unit.name}"
    return result


def measure_report_form_post(ctx: Context, *, repeat: int) -> Measurement:
    """The liaison submits the report form through the view (form, report_save, redirect)."""
    from django.test import Client

    result = Measurement(name="报送表单提交 (report form POST)", target_ms=100, repeat=repeat)
    client = Client()
    client.force_login(ctx.liaison)
    path = f"/tasks/{ctx.campaign_id}/{ctx.task_key}/report/"
    form_page = client.get(path)
    if form_page.status_code == 404:
        result.status, result.note = "skipped", f"{path} is not on this branch (404)"
        return result
    data = {"status": "in_progress", "percent": "80", "progress": "本季度完成隐患排查 12 次,整改到位。",
            "problems": "个别企业整改滞后。", "next_steps": "下季度开展复查。", "action": "submit"}
    # The form carries the version the writer started from (optimistic locking), read from the
    # form as a browser would; each save adds one.
    found = re.search(r'name="version" value="(\d+)"', form_page.content.decode())
    version = [int(found.group(1)) if found else 0]

    def post():
        response = client.post(path, data | {"version": str(version[0]) if version[0] else ""})
        if response.status_code != 302:
            raise AssertionError(f"{path} answered {response.status_code} (form errors or a conflict)")
        version[0] += 1

    result.median_ms, result.p95_ms, result.queries, result.cpu_ms = measure(post, repeat=repeat)
    result.note = f"POST {path} (submit), redirect to the task page not followed"
    return result


def measure_rollup(ctx: Context, *, repeat: int) -> Measurement:
    """dashboard.services.rollup_build of the last due period (frozen figures + workbook), rolled back."""
    from django.db import transaction
    from django.utils import timezone

    from dashboard.services import rollup_build
    from reports.periods import period_last_due
    from tasks.models import Campaign

    campaign = Campaign.objects.get(pk=ctx.campaign_id)
    period = period_last_due(campaign, timezone.localdate())
    result = Measurement(name="汇总一次 (one rollup)", target_ms=5000, repeat=repeat)

    def build():
        with transaction.atomic():
            rollup, created = rollup_build(campaign=campaign, period_code=period.code)
            assert created
            transaction.set_rollback(True)  # leave the period open for the next build

    result.median_ms, result.p95_ms, result.queries, result.cpu_ms = measure(build, repeat=repeat, warmup=1)
    result.note = f"rollup_build of {period.code}, one campaign of {campaign.tasks.count()} tasks"
    return result


def measure_excel(*, repeat: int = EXCEL_REPEAT, n: int = EXCEL_TASKS) -> list[Measurement]:
    """Export and import of `n` tasks in a throwaway campaign (bench/excel_bench.py), all rolled back."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench.excel_bench import bench_campaign_create, excel_export, excel_import, excel_make_all_different

    export = Measurement(name=f"导出 {n:,} 项任务 (export)", target_ms=5000, repeat=repeat)
    importing = Measurement(name=f"导入 {n:,} 项任务 (import)", target_ms=20000, repeat=repeat)

    class Rollback(Exception):
        pass

    try:
        with transaction.atomic():
            campaign = bench_campaign_create(n)
            export.median_ms, export.p95_ms, export.queries, export.cpu_ms = measure(
                lambda: excel_export(campaign), repeat=repeat, warmup=1
            )
            data = excel_export(campaign)
            export.note = f"task_list_xlsx of {n:,} tasks, {len(data) // 1024} KB"
            times, cpu, queries = [], [], set()
            for _ in range(repeat):
                savepoint = transaction.savepoint()
                excel_make_all_different(campaign)
                with CaptureQueriesContext(connection) as captured:
                    started, started_cpu = time.perf_counter(), time.process_time()
                    plan, counts = excel_import(data, campaign)
                    times.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                queries.add(len(captured))
                assert counts["changed"] == n, counts
                transaction.savepoint_rollback(savepoint)
            importing.median_ms, importing.p95_ms = statistics.median(times), percentile(times, 0.95)
            importing.queries, importing.cpu_ms = max(queries), statistics.median(cpu)
            importing.note = f"read + preview plan + apply (audited), every one of {n:,} tasks changed"
            raise Rollback
    except Rollback:
        pass
    return [export, importing]


# --- gunicorn under load --------------------------------------------------------------------


@dataclass
class LoadResult:
    path: str
    workers: int
    concurrency: int
    seconds: float
    requests: int
    errors: int
    rps: float
    median_ms: float
    p95_ms: float
    peak_rss_mb: float  # the largest VmHWM among the web processes (master and workers)
    web_cpu_ms_per_request: float = 0.0  # CPU time of the web processes divided by the requests served
    rss_by_process_mb: dict = field(default_factory=dict)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append(int(entry.name))
    return found


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of the processes so far (from /proc/<pid>/stat)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_load(
    path: str,
    *,
    cookie: str | None,
    env: dict[str, str],
    workers: int = 2,
    concurrency: int = 4,
    seconds: float = 10.0,
    max_requests: int = 5000,
    warmup: int = 10,
) -> LoadResult:
    """Requests per second of `path` under gunicorn, loaded by `concurrency` threads on 127.0.0.1.

    Bounded by `seconds` and `max_requests`, whichever comes first. The listening socket is
    opened here and handed to gunicorn (fd://), so clients can connect at once: the kernel
    queues them until a worker is ready, and no start-up polling is needed.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(256)
    port = listener.getsockname()[1]
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "yinzhou_campaign.wsgi", "-w", str(workers), "-b", f"fd://{listener.fileno()}",
         "--chdir", str(REPO), "--log-level", "warning", "--timeout", "60"],
        env=env,
        pass_fds=(listener.fileno(),),
    )
    headers = {"Host": "127.0.0.1"}
    if cookie:
        headers["Cookie"] = cookie

    def one(conn_box: list) -> tuple[int, float]:
        started = time.perf_counter()
        if not conn_box:
            conn_box.append(http.client.HTTPConnection("127.0.0.1", port, timeout=60))
        conn = conn_box[0]
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            status = response.status
            if response.getheader("Connection", "").lower() == "close" or response.will_close:
                conn.close()
                conn_box.clear()
        except (OSError, http.client.HTTPException):
            conn.close()
            conn_box.clear()
            status = 0
        return status, (time.perf_counter() - started) * 1000

    try:
        box: list = []
        for _ in range(warmup):
            status, _ = one(box)
            if status != 200:
                raise RuntimeError(f"gunicorn answered {status} for {path} during warm-up")
        lock = threading.Lock()
        latencies: list[float] = []
        errors = [0]
        issued = [0]
        deadline = time.perf_counter() + seconds

        def worker():
            local_box: list = []
            while time.perf_counter() < deadline:
                with lock:
                    if issued[0] >= max_requests:
                        return
                    issued[0] += 1
                status, elapsed = one(local_box)
                with lock:
                    if status == 200:
                        latencies.append(elapsed)
                    else:
                        errors[0] += 1

        web_pids = [process.pid] + _children(process.pid)
        cpu_before = _cpu_seconds(web_pids)
        started = time.perf_counter()
        threads = [threading.Thread(target=worker) for _ in range(concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        web_cpu = _cpu_seconds(web_pids) - cpu_before
        pids = [process.pid] + _children(process.pid)
        rss = {("master" if pid == process.pid else f"worker {pid}"): round(_peak_rss_mb(pid), 1) for pid in pids}
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        listener.close()
    return LoadResult(
        path=path,
        workers=workers,
        concurrency=concurrency,
        seconds=round(elapsed, 2),
        requests=len(latencies),
        errors=errors[0],
        rps=round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        median_ms=round(statistics.median(latencies), 1) if latencies else 0.0,
        p95_ms=round(percentile(latencies, 0.95), 1) if latencies else 0.0,
        peak_rss_mb=max(rss.values()),
        web_cpu_ms_per_request=round(web_cpu * 1000 / max(1, len(latencies) + errors[0]), 1),
        rss_by_process_mb=rss,
    )


def session_cookie(user) -> str:
    """A session for the user, as a Cookie header (what a browser that signed in sends)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


# --- the machine ----------------------------------------------------------------------------


def machine() -> dict:
    import django
    from django.db import connection

    cpu = "?"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    mem_kb = int(next(l for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")).split()[1])
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    return {
        "nproc": os.cpu_count(),
        "ram_gb": round(mem_kb / 1024 / 1024, 1),
        "cpu": cpu,
        "postgresql": pg,
        "python": platform.python_version(),
        "django": django.get_version(),
        "os": platform.platform(),
    }


def counts() -> dict[str, int]:
    from departments.models import Unit
    from reports.models import ProgressReport, ReportingPeriod, ReportVersion
    from tasks.models import Campaign, Task

    return {
        "campaigns": Campaign.objects.count(),
        "tasks": Task.objects.count(),
        "units": Unit.objects.real().count(),
        "periods": ReportingPeriod.objects.count(),
        "reports": ProgressReport.objects.count(),
        "versions": ReportVersion.objects.count(),
    }


def run(*, repeat: int, load_seconds: float, load_max: int, database: str) -> dict:
    from django.test import Client

    load_before = [round(x, 2) for x in os.getloadavg()]
    data_counts = counts()  # before the measurements add versions
    ctx = context_build()
    measurements = [measure_page(page, ctx, repeat=repeat) for page in PAGES]
    measurements.append(measure_report_save(ctx, repeat=repeat, submit=False))
    measurements.append(measure_report_save(ctx, repeat=repeat, submit=True))
    measurements.append(measure_report_form_post(ctx, repeat=repeat))
    measurements.append(measure_rollup(ctx, repeat=min(repeat, 5)))
    measurements.extend(measure_excel())

    client = Client()
    client.force_login(ctx.liaison)
    load_path = next(p for p in LOAD_PAGES if client.get(p).status_code != 404)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_DATABASE": database,
           "PYTHONPATH": str(REPO)}
    load = measure_load(load_path, cookie=session_cookie(ctx.liaison), env=env, seconds=load_seconds,
                        max_requests=load_max)
    return {
        "measured_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "database": database,
        "repeat": repeat,
        "machine": machine(),
        "counts": data_counts,
        "measurements": [asdict(m) | {"met": m.met} for m in measurements],
        "load": asdict(load),
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="yz_bench")
    parser.add_argument("--label", default=None, help="results file name (default: the database name)")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--load-seconds", type=float, default=10.0)
    parser.add_argument("--load-max", type=int, default=5000)
    args = parser.parse_args(argv)
    setup_django(args.database)
    results = run(repeat=args.repeat, load_seconds=args.load_seconds, load_max=args.load_max,
                  database=args.database)
    RESULTS.mkdir(exist_ok=True)
    generated = RESULTS / f"{args.database}.generate.json"
    if generated.exists():
        results["generate"] = json.loads(generated.read_text())
    out = RESULTS / f"{args.label or args.database}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    for m in results["measurements"]:
        if m["status"] == "ok":
            print(f"{m['name']:<28} median {m['median_ms']:7.1f} ms  p95 {m['p95_ms']:7.1f} ms  "
                  f"cpu {m['cpu_ms']:6.1f} ms  {m['queries']:3d} queries  target {m['target_ms']} ms  {'no target' if m['met'] is None else 'met' if m['met'] else 'MISSED'}")
        else:
            print(f"{m['name']:<28} {m['status']}: {m['note']}")
    load = results["load"]
    print(f"gunicorn -w {load['workers']} {load['path']}: {load['rps']} req/s over {load['seconds']} s "
          f"({load['requests']} ok, {load['errors']} errors), web CPU {load['web_cpu_ms_per_request']} ms/request, "
          f"peak RSS {load['peak_rss_mb']} MB")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

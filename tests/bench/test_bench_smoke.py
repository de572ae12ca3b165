"""A small smoke version of the benchmark (the real one is `make bench`, minutes long).

It builds the data set at two tiny sizes in the test database and runs bench/run.py's
measurement functions once per size: they must produce figures, and every page and service
must use the same number of SQL queries at both sizes.
"""

from __future__ import annotations

import json
import os

import pytest
from django.db import connection

from bench import report, run
from bench.generate import Plan, generate

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

TINY = Plan(campaigns=1, extra_units=1, periods=1)
BIGGER = Plan(campaigns=3, extra_units=4, periods=1)


def measure_all() -> dict[str, run.Measurement]:
    ctx = run.context_build()
    results = [run.measure_page(page, ctx, repeat=2) for page in run.PAGES]
    results.append(run.measure_report_save(ctx, repeat=2, submit=False))
    results.append(run.measure_report_save(ctx, repeat=2, submit=True))
    results.append(run.measure_report_form_post(ctx, repeat=2))
    results.append(run.measure_rollup(ctx, repeat=2))
    return {m.name: m for m in results}


def test_the_generator_builds_three_reports_per_task_and_period_with_a_version_each(campaign):
    counts = generate(BIGGER, analyze=False)
    assert counts["campaigns"] == 3
    assert counts["tasks"] == 3 * 72
    assert counts["units"] == 53 + 4  # the catalogue's 28 departments and offices and 25 towns, 4 more
    # One period: a lead report and two contributions per task that has a lead unit — all but 5.3,
    # led by "区安委会相关成员单位" until the office names the members concerned (tasks.duties).
    assert counts["reports"] == 3 * 71 * 3
    assert counts["versions"] == counts["reports"]


def test_the_measurements_give_figures_and_equal_query_counts_at_two_sizes(campaign):
    generate(TINY, analyze=False)
    small = measure_all()
    generate(BIGGER, analyze=False)
    bigger = measure_all()

    measured = [name for name, m in small.items() if m.status == "ok"]
    assert "任务清单 (task list, all 72)" in measured and "保存草稿 save draft (report_save)" in measured
    for name in ("我的任务 (my tasks)", "任务页面 (task page)", "API 任务列表 (API task list)",
                 "驾驶舱 API (all campaigns, no stored overview)", "驾驶舱 API (all campaigns, cached)",
                 "驾驶舱 API (all campaigns, after a change)", "驾驶舱 (dashboard, all campaigns, after a change)",
                 "报送表单提交 (report form POST)", "汇总一次 (one rollup)"):
        assert name in measured, (name, small[name].note)
    for name in measured:
        for m in (small[name], bigger[name]):
            assert m.median_ms > 0 and m.p95_ms >= m.median_ms and m.cpu_ms >= 0, m
        assert small[name].queries == bigger[name].queries, name
    for name, m in small.items():
        assert m.status in ("ok", "skipped"), (name, m.note)
    # "after a change" measures the outdated overview being shown (and its rebuild queued), not
    # the overview being computed: far fewer queries than with no stored overview.
    for page in ("驾驶舱 API", "驾驶舱 (dashboard,"):
        after = next(m for name, m in small.items() if name.startswith(page) and "after a change" in name)
        cold = next(m for name, m in small.items() if name.startswith(page) and "no stored overview" in name)
        assert after.queries < cold.queries - 5, (after, cold)


def test_the_load_generator_measures_requests_per_second_and_memory_under_gunicorn():
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "yinzhou_campaign.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        "PYTHONPATH": str(run.REPO),
    }
    load = run.measure_load("/accounts/login/", cookie=None, env=env, seconds=10, max_requests=20, warmup=1)
    assert load.requests == 20 and load.errors == 0
    assert load.rps > 0 and load.median_ms > 0
    assert 0 < load.peak_rss_mb < 1000
    assert len(load.rss_by_process_mb) == 3  # the master and two workers


def test_the_report_shows_both_sizes_side_by_side():
    measurement = run.Measurement(name="任务清单", target_ms=100, median_ms=50.0, p95_ms=60.0, queries=11,
                                  cpu_ms=20.0, repeat=2)
    load = {"path": "/tasks/", "workers": 2, "concurrency": 4, "seconds": 1.0, "requests": 10, "errors": 0,
            "rps": 10.0, "median_ms": 1.0, "p95_ms": 2.0, "peak_rss_mb": 80.0, "rss_by_process_mb": {}}
    results = {
        "measured_at": "2026-11-29T12:00:00+08:00", "load_average_before": [0.1], "load_average_after": [0.2],
        "repeat": 2, "machine": {"cpu": "x", "nproc": 2, "ram_gb": 4, "postgresql": "15", "python": "3.11",
                                 "django": "5.2", "os": "Linux"},
        "counts": {"campaigns": 1, "tasks": 72, "units": 28, "periods": 12, "reports": 2592, "versions": 2592},
        "measurements": [run.asdict(measurement) | {"met": True}], "load": load,
    }
    text = report.render(results, results)
    assert "| 任务清单 | ≤ 100 | 50.0 | 60.0 | 11 | 50.0 | 60.0 | 11 | 20.0 | ✅ met, same queries |" in text
    assert "80.0 MB" in text


def test_the_excel_figures_export_and_import_a_throwaway_campaign_and_leave_nothing_behind(campaign):
    from tasks.models import Campaign, Task

    before = (Campaign.objects.count(), Task.objects.count())
    export, importing = run.measure_excel(repeat=1, n=150)
    assert export.median_ms > 0 and importing.median_ms > 0 and importing.queries > 0
    assert (Campaign.objects.count(), Task.objects.count()) == before


@pytest.mark.django_db(transaction=True)  # gunicorn, another process, must see the users and their sessions
def test_the_throughput_harness_measures_the_login_page_and_a_page_and_writes_the_results(campaign, tmp_path,
                                                                                          monkeypatch):
    from bench import throughput

    generate(TINY, analyze=False)
    monkeypatch.setattr(throughput, "RESULTS", tmp_path)
    page = next(p for p in throughput.PAGES if p.path == "/review/")
    results = throughput.throughput_run(
        database=connection.settings_dict["NAME"], seconds=1, connections=2, threads=1, port=0, pages=[page],
        manifest=False, warmup=2,
    )
    floor, (row,) = results["floor"], results["pages"]
    for load in (floor["before"], floor["after"], row):
        assert load["status"] == "ok" and load["errors"] == 0, load
        assert load["requests"] > 0 and load["rps"] > 0 and load["web_cpu_ms"] > 0, load
    assert row["path"] == "/review/" and row["user"] == "office" and row["target_share"] == 0.25
    assert abs(row["share"] - row["rps"] / floor["rps"]) < 0.001
    written = throughput.results_write(results, "smoke")
    assert json.loads(written.read_text(encoding="utf-8"))["pages"][0]["name"] == page.name
    assert "| 报送审核 /review/ |" in "\n".join(report.throughput_section(results, None))


def test_wrk_reports_are_read_into_figures():
    from bench.throughput import parse_wrk

    output = """Running 8s test @ http://127.0.0.1:8271/accounts/login/
  2 threads and 4 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     3.70ms    1.20ms  20.00ms   90.00%
  Latency Distribution
     50%    3.51ms
     75%    4.01ms
     90%    5.00ms
     99%    1.20s
  8612 requests in 8.00s, 17.2MB read
  Socket errors: connect 0, read 12, write 0, timeout 2
  Non-2xx or 3xx responses: 3
Requests/sec:   1076.23
Transfer/sec:      2.15MB
"""
    figures = parse_wrk(output)
    assert figures == {"requests": 8612, "seconds": 8.0, "rps": 1076.23, "errors": 5,
                       "latency_median_ms": 3.51, "latency_p99_ms": 1200.0}

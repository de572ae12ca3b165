"""Write docs/benchmarks.md from bench/results/{small,full}.json (made by bench/run.py).

    .venv/bin/python bench/report.py            # reads bench/results/small.json and full.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
DOC = REPO / "docs" / "benchmarks.md"
MEMORY_TARGET_MB = 300

# Notes on causes found and fixes made, kept with the figures (edit here, not in the .md).
FINDINGS = Path(__file__).with_name("findings.md")


def _ms(value) -> str:
    return "—" if value is None else f"{value:.1f}"


def _verdict(full: dict, small: dict) -> str:
    if full["status"] != "ok":
        return "not measured" if full["status"] == "skipped" else "error"
    parts = []
    if full["target_ms"] is not None:
        parts.append("✅ met" if full["median_ms"] <= full["target_ms"] else "❌ missed")
    if small.get("queries") is not None:
        parts.append("same queries" if small["queries"] == full["queries"] else "⚠️ queries grow with data")
    return ", ".join(parts)


THROUGHPUT_HEADING = "## Throughput, side by side with the login page"
THROUGHPUT_COMMAND = [
    "python bench/throughput.py --database yz_bench_small --label small   # 1/100 size",
    "python bench/throughput.py --database yz_bench --label full          # city scale",
    "python bench/report.py --throughput-only                             # this section only",
]


def _share(value) -> str:
    return "—" if value is None else f"{value:.1%}"


def throughput_section(small: dict | None, full: dict | None) -> list[str]:
    """The table of bench/throughput.py's results: each page's requests per second and its share
    of the login page's, measured in the same run, against the issue's targets (issue 20)."""
    runs = [(label, run) for label, run in (("1/100 size", small), ("city scale", full)) if run]
    if not runs:
        return []
    first = runs[0][1]
    lines = [
        THROUGHPUT_HEADING,
        "",
        f"`{first['server']}`, loaded with `{first['load_command']}` on 127.0.0.1, one page after another; "
        "signed-in pages with a session cookie (a lead unit's liaison for 我的任务, 任务清单 and the API; the "
        "office for the dashboard and the review queue). The login page is the floor (full middleware, a "
        "template, no domain work), measured before and after the pages in the same run; a page's share is its "
        "requests per second over the mean of the two. Each page is warmed up first: the figure is a page viewed "
        "again (the dashboard and the review queue are then served from the page kept for the current data "
        "fingerprint). \"web CPU\" is the gunicorn processes' CPU time per request — the figure other "
        "processes on the machine disturb least; its ratio to the login page's is what the share would be if "
        "nothing but the web processes' CPU counted (no waiting for PostgreSQL or for a CPU).",
        "",
        "```",
        *THROUGHPUT_COMMAND,
        "```",
        "",
    ]
    for label, run in runs:
        floor = run["floor"]
        lines += [
            f"**{label}** ({run['database']}, measured {run['measured_at']}, load average {run['load_average_before']} → "
            f"{run['load_average_after']}; login page {floor['before']['rps']:,.1f} / {floor['after']['rps']:,.1f} "
            f"requests per second before / after the pages, web CPU {floor['before'].get('web_cpu_ms', '—')} ms)",
            "",
            "| page | requests/s | share of the login page | target | verdict | median / p99 latency (ms) | web CPU (ms) "
            "| login's CPU ÷ page's CPU |",
            "|---|---:|---:|---:|---|---:|---:|---:|",
            f"| login page (the floor) | {floor['rps']:,.1f} | 100% | | | {floor['before']['latency_median_ms']} / "
            f"{floor['before']['latency_p99_ms']} | {floor['before'].get('web_cpu_ms', '—')} | 100% |",
        ]
        for row in run["pages"]:
            target = "—" if row["target_share"] is None else f"≥ {row['target_share']:.0%}"
            if row["status"] != "ok":
                lines.append(f"| {row['name']} | | | {target} | {row['status']}: {row['note']} | | | |")
                continue
            verdict = "✅ met" if row["met"] else "❌ missed"
            floor_cpu, page_cpu = floor["before"].get("web_cpu_ms"), row.get("web_cpu_ms")
            cpu_share = _share(floor_cpu / page_cpu) if floor_cpu and page_cpu else "—"
            lines.append(
                f"| {row['name']} | {row['rps']:,.1f} | {_share(row['share'])} | {target} | {verdict} | "
                f"{row['latency_median_ms']} / {row['latency_p99_ms']} | {page_cpu or '—'} | {cpu_share} |"
            )
        lines.append("")
    return lines


def _load_throughput(label: str) -> dict | None:
    path = RESULTS / f"throughput-{label}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def with_throughput(doc: str, small: dict | None, full: dict | None) -> str:
    """The document with its throughput section replaced (or put before the findings)."""
    section = "\n".join(throughput_section(small, full))
    start = doc.find(THROUGHPUT_HEADING)
    if start >= 0:
        end = doc.find("\n## ", start + len(THROUGHPUT_HEADING))
        return doc[:start] + section + ("\n" + doc[end + 1:] if end >= 0 else "")
    findings = doc.find("## Findings and fixes")
    if findings < 0:
        return doc.rstrip("\n") + "\n\n" + section
    return doc[:findings] + section + "\n" + doc[findings:]


def render(small: dict, full: dict) -> str:
    m = full["machine"]
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (not part of `make test`, which runs only the small smoke version in "
        "`tests/bench/test_bench_smoke.py`). `bench/report.py` writes this file from `bench/results/*.json`: "
        "don't edit the tables by hand; causes found and fixes made are kept in `bench/findings.md`, "
        "appended at the end.",
        "",
        "## Command",
        "",
        "```",
        "make bench",
        "# which runs:",
        "python bench/generate.py --scale 0.01 --database yz_bench_small   # 1/100 size",
        "python bench/run.py --database yz_bench_small --label small",
        "python bench/generate.py --scale 1 --database yz_bench            # city scale",
        "python bench/run.py --database yz_bench --label full",
        "python bench/throughput.py --database yz_bench_small --label small",
        "python bench/throughput.py --database yz_bench --label full",
        "python bench/report.py",
        "```",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['nproc']} cores; RAM {m['ram_gb']} GB",
        f"- PostgreSQL {m['postgresql']}; Python {m['python']}; Django {m['django']}",
        f"- OS: {m['os']}",
        f"- Measured: 1/100 size {small['measured_at']}, city scale {full['measured_at']}",
        f"- Load average (1/5/15 min) while measuring: 1/100 size {small['load_average_before']} → "
        f"{small['load_average_after']}; city scale {full['load_average_before']} → {full['load_average_after']}. "
        "When the load is well above the number of cores, server (wall-clock) times include waiting for a "
        "CPU; the \"CPU\" column (this process's CPU time) is far less disturbed by other processes.",
        "",
        "## Data set",
        "",
        "| | 1/100 size | city scale |",
        "|---|---:|---:|",
    ]
    labels = {"campaigns": "campaigns", "tasks": "tasks", "units": "units (groups excluded)",
              "periods": "reporting periods", "reports": "progress reports", "versions": "report versions"}
    for key, label in labels.items():
        lines.append(f"| {label} | {small['counts'][key]:,} | {full['counts'][key]:,} |")
    gen_small, gen_full = small.get("generate"), full.get("generate")
    if gen_small and gen_full:
        lines.append(f"| time to generate (`bench/generate.py`, after migrate) | {gen_small['generate_s']} s | "
                     f"{gen_full['generate_s']} s |")
    lines += [
        "",
        f"## Server time and SQL queries ({full['repeat']} repetitions after 2 warm-up calls)",
        "",
        "In-process with `django.test.Client` (or calling the service), queries counted with "
        "`CaptureQueriesContext`. Times in milliseconds. \"not measured\": the page or feature is not on "
        "this branch yet (it answers 404); run `make bench` again once it is merged.",
        "",
        "| what | target (median) | 1/100 median | 1/100 p95 | 1/100 queries | city median | city p95 "
        "| city queries | city CPU | verdict |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    small_by_name = {x["name"]: x for x in small["measurements"]}
    for f in full["measurements"]:
        s = small_by_name.get(f["name"], {})
        target = "—" if f["target_ms"] is None else f"≤ {f['target_ms']:g}"
        if f["status"] != "ok":
            lines.append(f"| {f['name']} | {target} | | | | | | | | not measured: {f['note']} |")
            continue
        lines.append(
            f"| {f['name']} | {target} | {_ms(s.get('median_ms'))} | {_ms(s.get('p95_ms'))} | {s.get('queries', '—')} "
            f"| {_ms(f['median_ms'])} | {_ms(f['p95_ms'])} | {f['queries']} | {_ms(f.get('cpu_ms'))} | {_verdict(f, s)} |"
        )
    ls, lf = small["load"], full["load"]
    lines += [
        "",
        "## Under gunicorn, and memory",
        "",
        f"`gunicorn yinzhou_campaign.wsgi -w {lf['workers']}` (sync workers, which close the connection after "
        "each response), loaded by a thread pool on 127.0.0.1 with a signed-in liaison's session, bounded "
        "by time and by request count. Peak memory is the largest VmHWM of the web processes (master and "
        "workers).",
        "",
        "| | 1/100 size | city scale | target |",
        "|---|---:|---:|---|",
        f"| page | `{ls['path']}` | `{lf['path']}` | |",
        f"| concurrent clients / duration | {ls['concurrency']} / {ls['seconds']} s | {lf['concurrency']} / "
        f"{lf['seconds']} s | |",
        f"| requests ok / errors | {ls['requests']} / {ls['errors']} | {lf['requests']} / {lf['errors']} | no errors |",
        f"| requests per second | {ls['rps']} | {lf['rps']} | |",
        f"| latency median / p95 (ms, queueing included) | {ls['median_ms']} / {ls['p95_ms']} | "
        f"{lf['median_ms']} / {lf['p95_ms']} | |",
        f"| CPU of the web processes per request | {ls.get('web_cpu_ms_per_request', '—')} ms | "
        f"{lf.get('web_cpu_ms_per_request', '—')} ms | |",
        f"| peak memory of a web process | {ls['peak_rss_mb']} MB | {lf['peak_rss_mb']} MB | ≤ {MEMORY_TARGET_MB} MB "
        f"{'✅' if lf['peak_rss_mb'] <= MEMORY_TARGET_MB else '❌'} |",
        "",
    ]
    lines += throughput_section(_load_throughput("small"), _load_throughput("full"))
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", default=str(RESULTS / "small.json"))
    parser.add_argument("--full", default=str(RESULTS / "full.json"))
    parser.add_argument("--out", default=str(DOC))
    parser.add_argument("--throughput-only", action="store_true",
                        help="rewrite only the throughput section of the existing document")
    args = parser.parse_args(argv)
    if args.throughput_only:
        doc = Path(args.out).read_text(encoding="utf-8")
        Path(args.out).write_text(with_throughput(doc, _load_throughput("small"), _load_throughput("full")),
                                  encoding="utf-8")
        print(f"written the throughput section of {args.out}")
        return 0
    small = json.loads(Path(args.small).read_text(encoding="utf-8"))
    full = json.loads(Path(args.full).read_text(encoding="utf-8"))
    Path(args.out).write_text(render(small, full), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

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
        return "未测" if full["status"] == "skipped" else "出错"
    parts = []
    if full["target_ms"] is not None:
        parts.append("✅ 达标" if full["median_ms"] <= full["target_ms"] else "❌ 未达标")
    if small.get("queries") is not None:
        parts.append("查询数相同" if small["queries"] == full["queries"] else "⚠️ 查询数随数据增长")
    return ",".join(parts)


def render(small: dict, full: dict) -> str:
    m = full["machine"]
    lines = [
        "# 性能基准(Benchmarks)",
        "",
        "由 `make bench` 生成(不属于 `make test`;`make test` 中只有一个小规模的冒烟测试 "
        "`tests/bench/test_bench_smoke.py`)。本文件由 `bench/report.py` 根据 `bench/results/*.json` 写出,"
        "请勿手工修改表格;原因分析与优化记录见 `bench/findings.md`(会原样附在文末)。",
        "",
        "## 命令",
        "",
        "```",
        "make bench",
        "# 即:",
        "python bench/generate.py --scale 0.01 --database yz_bench_small   # 1/100 规模",
        "python bench/run.py --database yz_bench_small --label small",
        "python bench/generate.py --scale 1 --database yz_bench            # 全市规模",
        "python bench/run.py --database yz_bench --label full",
        "python bench/report.py",
        "```",
        "",
        "## 机器",
        "",
        f"- CPU:{m['cpu']},{m['nproc']} 核;内存 {m['ram_gb']} GB",
        f"- PostgreSQL {m['postgresql']};Python {m['python']};Django {m['django']}",
        f"- 系统:{m['os']}",
        f"- 测量时间:1/100 规模 {small['measured_at']},全市规模 {full['measured_at']}",
        f"- 测量期间的系统负载(load average,1/5/15 分钟):1/100 规模 {small['load_average_before']} → "
        f"{small['load_average_after']};全市规模 {full['load_average_before']} → {full['load_average_after']}。"
        f"负载明显高于核数时,服务器时间(墙钟)包含了等待 CPU 的时间;“本进程 CPU”一列受其他进程影响小得多。",
        "",
        "## 数据规模",
        "",
        "| | 1/100 规模 | 全市规模 |",
        "|---|---:|---:|",
    ]
    labels = {"campaigns": "行动方案", "tasks": "具体任务", "units": "单位(不含单位组)", "periods": "报送周期",
              "reports": "进展报送", "versions": "报送版本"}
    for key, label in labels.items():
        lines.append(f"| {label} | {small['counts'][key]:,} | {full['counts'][key]:,} |")
    gen_small, gen_full = small.get("generate"), full.get("generate")
    if gen_small and gen_full:
        lines.append(f"| 生成数据用时(`bench/generate.py`,不含建库迁移) | {gen_small['generate_s']} s | "
                     f"{gen_full['generate_s']} s |")
    lines += [
        "",
        f"## 服务器时间与 SQL 查询数(每项重复 {full['repeat']} 次,先预热 2 次)",
        "",
        "进程内用 `django.test.Client`(或直接调用服务函数)测量,`CaptureQueriesContext` 计查询数。"
        "时间单位:毫秒。“未测”表示该页面/功能尚未合入本分支(请求返回 404),合入后重新运行 `make bench` 即可。",
        "",
        "| 项目 | 目标(中位数) | 1/100 中位数 | 1/100 p95 | 1/100 查询数 | 全市 中位数 | 全市 p95 | 全市 查询数 "
        "| 全市 本进程 CPU | 结论 |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    small_by_name = {x["name"]: x for x in small["measurements"]}
    for f in full["measurements"]:
        s = small_by_name.get(f["name"], {})
        target = "—" if f["target_ms"] is None else f"≤ {f['target_ms']:g}"
        if f["status"] != "ok":
            lines.append(f"| {f['name']} | {target} | | | | | | | | 未测:{f['note']} |")
            continue
        lines.append(
            f"| {f['name']} | {target} | {_ms(s.get('median_ms'))} | {_ms(s.get('p95_ms'))} | {s.get('queries', '—')} "
            f"| {_ms(f['median_ms'])} | {_ms(f['p95_ms'])} | {f['queries']} | {_ms(f.get('cpu_ms'))} | {_verdict(f, s)} |"
        )
    lines += [
        "",
        "## gunicorn 压测与内存",
        "",
        "`gunicorn yinzhou_campaign.wsgi -w 2`(同步 worker),本机 127.0.0.1 上的线程池客户端并发请求,"
        "每个线程保持连接;以时长和请求数双重上限约束。峰值内存为各 web 进程 VmHWM 的最大值。",
        "",
        "| | 1/100 规模 | 全市规模 | 目标 |",
        "|---|---:|---:|---|",
    ]
    ls, lf = small["load"], full["load"]
    lines += [
        f"| 页面 | `{ls['path']}` | `{lf['path']}` | |",
        f"| 并发 / 时长 | {ls['concurrency']} / {ls['seconds']} s | {lf['concurrency']} / {lf['seconds']} s | |",
        f"| 成功请求 / 错误 | {ls['requests']} / {ls['errors']} | {lf['requests']} / {lf['errors']} | 无错误 |",
        f"| 每秒请求数 | {ls['rps']} | {lf['rps']} | |",
        f"| 延迟中位数 / p95(ms,含排队) | {ls['median_ms']} / {ls['p95_ms']} | {lf['median_ms']} / {lf['p95_ms']} | |",
        f"| web 进程峰值内存 | {ls['peak_rss_mb']} MB | {lf['peak_rss_mb']} MB | ≤ {MEMORY_TARGET_MB} MB "
        f"{'✅' if lf['peak_rss_mb'] <= MEMORY_TARGET_MB else '❌'} |",
        "",
    ]
    if FINDINGS.exists():
        lines += [FINDINGS.read_text(encoding="utf-8").rstrip(), ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--small", default=str(RESULTS / "small.json"))
    parser.add_argument("--full", default=str(RESULTS / "full.json"))
    parser.add_argument("--out", default=str(DOC))
    args = parser.parse_args(argv)
    small = json.loads(Path(args.small).read_text(encoding="utf-8"))
    full = json.loads(Path(args.full).read_text(encoding="utf-8"))
    Path(args.out).write_text(render(small, full), encoding="utf-8")
    print(f"written {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

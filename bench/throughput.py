"""Throughput side by side with the app's own login page (issue 20).

    .venv/bin/python bench/throughput.py --database yz_bench_small --label small
    .venv/bin/python bench/throughput.py --database yz_bench --label full

Starts gunicorn as production runs it (`-c gunicorn.conf.py`: sync workers, here 2; DEBUG off;
`CONN_MAX_AGE` as in production; static files collected with the manifest storage into a
temporary STATIC_ROOT), loads each page in turn with wrk (`wrk -t2 -c4 -d8s`, a signed-in
user's session cookie for the pages that need one) and writes requests per second into
bench/results/throughput-<label>.json. The login page is the floor: full middleware and a
template, no domain work. It is measured first and last in the same run, and each page's
figure is its share of the floor's mean — absolute figures move with whatever else the machine
is doing, shares much less.

Each page is fetched once and must answer 200 (a 404 is reported as skipped: not on this
branch), then warmed up (a page keeps what it may keep, e.g. the dashboard's figures; the
figure is the steady state of a page viewed again). Without wrk (`apt-get install wrk`) a
Python thread pool loads the server instead, and the results say so.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench.generate import setup_django  # noqa: E402

LOGIN = "/accounts/login/"


@dataclass(frozen=True)
class ThroughputPage:
    name: str
    path: str  # formatted with {campaign_id}
    user: str  # "anon", "liaison" (a lead unit's liaison) or "office"
    target_share: float | None  # the page's requests per second over the login page's, at least


# The five pages; the login page (the floor) is measured before and after them.
PAGES = [
    ThroughputPage("我的任务 /my/", "/my/", "liaison", 0.15),
    ThroughputPage("任务清单 /tasks/", "/tasks/", "liaison", 0.15),
    ThroughputPage("API /api/v1/tasks/", "/api/v1/tasks/", "liaison", 0.20),
    ThroughputPage("驾驶舱 /dashboard/ (one campaign)", "/dashboard/?campaign={campaign_id}", "office", 0.08),
    ThroughputPage("报送审核 /review/", "/review/", "office", 0.25),
]
FLOOR = ThroughputPage("登录页 /accounts/login/ (the floor)", LOGIN, "anon", None)


@dataclass
class Load:
    name: str
    path: str
    status: str = "ok"  # ok | skipped | error
    note: str = ""
    tool: str = ""
    requests: int = 0
    errors: int = 0  # responses other than 200, and failed requests
    seconds: float = 0.0
    rps: float = 0.0
    latency_median_ms: float | None = None
    latency_p99_ms: float | None = None
    web_cpu_ms: float | None = None  # CPU time of the gunicorn processes per request served


# --- the load generators ----------------------------------------------------------------------


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * _UNITS[unit], 2)


def parse_wrk(output: str) -> dict:
    """Requests, errors, seconds, rps and latency percentiles from `wrk --latency`'s report."""
    done = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", output)
    errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    socket_errors = re.search(r"Socket errors: connect (\d+), read \d+, write (\d+), timeout (\d+)", output)
    if socket_errors:  # read errors are the server closing a connection after its response (sync workers)
        errors += sum(int(n) for n in socket_errors.groups())
    percentiles = dict(re.findall(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+(?:us|ms|s|m))\s*$", output, re.M))
    return {
        "requests": int(done.group(1)),
        "seconds": round(_ms(done.group(2) + done.group(3)) / 1000, 2),
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "errors": errors,
        "latency_median_ms": _ms(percentiles["50"]) if "50" in percentiles else None,
        "latency_p99_ms": _ms(percentiles["99"]) if "99" in percentiles else None,
    }


def load_wrk(url: str, *, cookie: str | None, seconds: float, connections: int, threads: int) -> dict:
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--latency", "--timeout", "30s"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    output = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def _get(port: int, path: str, cookie: str | None, conn_box: list) -> tuple[int, bytes]:
    headers = {"Host": "127.0.0.1"} | ({"Cookie": cookie} if cookie else {})
    if not conn_box:
        conn_box.append(http.client.HTTPConnection("127.0.0.1", port, timeout=60))
    conn = conn_box[0]
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        if response.will_close:
            conn.close()
            conn_box.clear()
        return response.status, body
    except (OSError, http.client.HTTPException):
        conn.close()
        conn_box.clear()
        return 0, b""


def load_python(port: int, path: str, *, cookie: str | None, seconds: float, connections: int) -> dict:
    """The fallback without wrk: `connections` threads, each one request after another."""
    lock = threading.Lock()
    latencies: list[float] = []
    errors = [0]
    deadline = time.perf_counter() + seconds

    def client():
        box: list = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            status, _ = _get(port, path, cookie, box)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors[0] += 1

    started = time.perf_counter()
    clients = [threading.Thread(target=client) for _ in range(connections)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "requests": len(latencies) + errors[0],
        "seconds": round(elapsed, 2),
        "rps": round(len(latencies) / elapsed, 2),
        "errors": errors[0],
        "latency_median_ms": round(statistics.median(ordered), 2) if ordered else None,
        "latency_p99_ms": round(ordered[max(0, int(len(ordered) * 0.99) - 1)], 2) if ordered else None,
    }


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_env(database: str, static_root: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "BENCH_DATABASE": database,
        "PYTHONPATH": str(REPO),
        "STATIC_ROOT": static_root,
        "STATIC_MANIFEST": "1",  # production's storage (bench.settings alone leaves it off)
        "GUNICORN_WORKERS": "2",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_LOG_LEVEL": "warning",
    }


def collectstatic(env: dict[str, str]) -> None:
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=REPO, env=env,
                   check=True)


def gunicorn_start(env: dict[str, str], port: int) -> subprocess.Popen:
    """gunicorn with the production config; no worker recycling (`max_requests`) while measuring."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [str(gunicorn), "-c", "gunicorn.conf.py", "--max-requests", "0", "yinzhou_campaign.wsgi"],
        cwd=REPO, env=env,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}")
        if _get(port, LOGIN, None, [])[0] == 200:
            return process
        time.sleep(0.3)
    process.terminate()
    raise RuntimeError("gunicorn did not answer within 60 s")


def gunicorn_stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


# --- the run --------------------------------------------------------------------------------------


def measure(page: ThroughputPage, path: str, *, port: int, cookie: str | None, seconds: float, connections: int,
            threads: int, tool: str, server_pid: int, warmup: int = 5) -> Load:
    result = Load(name=page.name, path=path, tool=tool)
    status, body = _get(port, path, cookie, [])
    if status == 404:
        result.status, result.note = "skipped", f"{path} is not on this branch (404)"
        return result
    if status != 200 or not body:
        result.status, result.note = "error", f"{path} answered {status}"
        return result
    box: list = []
    for _ in range(warmup):
        _get(port, path, cookie, box)
    from bench.run import _children, _cpu_seconds

    web_pids = [server_pid] + _children(server_pid)
    cpu_before = _cpu_seconds(web_pids)
    if tool == "wrk":
        figures = load_wrk(f"http://127.0.0.1:{port}{path}", cookie=cookie, seconds=seconds,
                           connections=connections, threads=threads)
    else:
        figures = load_python(port, path, cookie=cookie, seconds=seconds, connections=connections)
    web_cpu = _cpu_seconds(web_pids) - cpu_before
    for key, value in figures.items():
        setattr(result, key, value)
    result.web_cpu_ms = round(web_cpu * 1000 / result.requests, 2) if result.requests else None
    if not result.requests:
        result.status, result.note = "error", f"no request completed within {seconds:g} s"
    elif result.errors:
        result.status, result.note = "error", f"{result.errors} failed requests"
    return result


def throughput_run(*, database: str, seconds: float, connections: int, threads: int, port: int,
                   tool: str | None = None, pages: list[ThroughputPage] | None = None, manifest: bool = True,
                   warmup: int = 5) -> dict:
    """Measure the floor, the pages, the floor again; return the results (see the module's text).

    `manifest=False` (the smoke test only) serves static files without collecting them first.
    """
    from bench.run import context_build, machine, session_cookie

    tool = tool or ("wrk" if shutil.which("wrk") else "python")
    pages = PAGES if pages is None else pages
    ctx = context_build()
    cookies = {"anon": None, "liaison": session_cookie(ctx.liaison), "office": session_cookie(ctx.office)}
    port = port or free_port()
    load_before = [round(x, 2) for x in os.getloadavg()]
    with tempfile.TemporaryDirectory(prefix="bench-static-") as static_root:
        env = server_env(database, static_root, port)
        if manifest:
            collectstatic(env)
        else:
            env["STATIC_MANIFEST"] = "0"
        server = gunicorn_start(env, port)
        try:
            def one(page: ThroughputPage) -> Load:
                return measure(page, ctx.format(page.path), port=port, cookie=cookies[page.user], seconds=seconds,
                               connections=connections, threads=threads, tool=tool, server_pid=server.pid,
                               warmup=warmup)

            floor_before = one(FLOOR)
            loads = [one(page) for page in pages]
            floor_after = one(FLOOR)
        finally:
            gunicorn_stop(server)
    floor_rps = statistics.mean([floor_before.rps, floor_after.rps])
    rows = []
    for page, load in zip(pages, loads):
        share = round(load.rps / floor_rps, 4) if load.status == "ok" and floor_rps else None
        met = None if share is None or page.target_share is None else share >= page.target_share
        rows.append(asdict(load) | {"user": page.user, "target_share": page.target_share, "share": share, "met": met})
    command = (f"wrk -t{threads} -c{connections} -d{seconds:g}s" if tool == "wrk"
               else f"Python thread pool, {connections} clients, {seconds:g} s")
    return {
        "measured_at": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "database": database,
        "tool": tool,
        "load_command": command,
        "server": "gunicorn -c gunicorn.conf.py --max-requests 0 (2 sync workers, bench.settings: DEBUG off, "
                  "CONN_MAX_AGE as production" + (", manifest static files)" if manifest else ")"),
        "load_average_before": load_before,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
        "machine": machine(),
        "floor": {"before": asdict(floor_before), "after": asdict(floor_after), "rps": round(floor_rps, 1)},
        "pages": rows,
    }


def results_write(results: dict, label: str) -> Path:
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"throughput-{label}.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", default="yz_bench")
    parser.add_argument("--label", default=None, help="results: bench/results/throughput-<label>.json")
    parser.add_argument("--seconds", type=float, default=8.0, help="of load per page (wrk -d)")
    parser.add_argument("--connections", type=int, default=4, help="open connections (wrk -c)")
    parser.add_argument("--threads", type=int, default=2, help="wrk's threads (wrk -t)")
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", 0)),
                        help="gunicorn's port on 127.0.0.1 (default: BENCH_PORT, else a free one)")
    parser.add_argument("--tool", choices=("wrk", "python"), default=None, help="default: wrk if installed")
    parser.add_argument("--only", action="append", default=[], help="only the pages whose path contains this")
    args = parser.parse_args(argv)
    setup_django(args.database)
    pages = [p for p in PAGES if not args.only or any(part in p.path for part in args.only)]
    results = throughput_run(database=args.database, seconds=args.seconds, connections=args.connections,
                             threads=args.threads, port=args.port, tool=args.tool, pages=pages)
    out = results_write(results, args.label or args.database)
    floor = results["floor"]
    print(f"{'login (floor)':<36} {floor['before']['rps']:8.1f} / {floor['after']['rps']:8.1f} req/s "
          f"(before / after the pages)  web CPU {floor['before']['web_cpu_ms']} ms/request")
    for row in results["pages"]:
        if row["status"] != "ok":
            print(f"{row['name']:<36} {row['status']}: {row['note']}")
            continue
        verdict = "met" if row["met"] else "MISSED"
        print(f"{row['name']:<36} {row['rps']:8.1f} req/s  {row['share']:6.1%} of login  "
              f"(target {row['target_share']:.0%}: {verdict})  web CPU {row['web_cpu_ms']} ms/request")
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: 我要问 submissions and 查询码 lookups through the action API.

Targets (issue 15, §6): 50 submissions per second for a minute with 0 errors and 0 lost
messages; 查询码 lookups p95 <= 100 ms with 8 clients.

It runs against a CKAN it starts itself (gunicorn as scripts/run-ckan.sh serves the
platform: scripts/ckan_wsgi.py, --workers (2), timeout 120) on --port (5081), with a
config that inherits --ini (`use = config:<ini>`) and lifts only the per-address lookup
limit (all 8 clients come from 127.0.0.1; the per-phone limit stays: each submission has
its own phone). Never point --ini at the platform's ckan.ini: the site gets organizations,
a user and thousands of messages.

  1. prepare: `ckan qingyang load-orgs` (idempotent) and a user `boards-bench` (an
     integrating system's account, not a sysadmin) with an API token
  2. submissions: an open loop at --rate per second for --seconds, each request sent at
     its scheduled time from a pool of threads (late starts are counted), to a real
     department (the city's 住建局) or 不清楚 (the city's centre), one run tag in titles
  3. lost: the rows with the run's tag counted in PostgreSQL against the 200 answers
  4. lookups: --clients threads, each --lookups lookups of random codes of the run
  5. prints the figures and the machine's facts, writes var/bench/boards-<time>.json, and
     exits 1 if a target is missed

  PYTHONPATH=ckanext-qingyang .venv/ckan/bin/python bench/boards_bench.py --ini var/ckan/test.ini
"""
from __future__ import annotations

import argparse
import concurrent.futures as cf
import datetime as dt
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV = Path(os.environ.get("QINGYANG_CKAN_VENV") or "/work/main/.venv/ckan")


def ckan_cli(ini: Path, *args: str) -> str:
    env = dict(os.environ, PYTHONPATH=os.environ.get("PYTHONPATH", str(ROOT / "ckanext-qingyang")))
    out = subprocess.run([str(VENV / "bin" / "ckan"), "-c", str(ini), *args], capture_output=True, text=True,
                         env=env, timeout=900)
    if out.returncode:
        raise SystemExit(f"ckan {' '.join(args)} failed:\n{out.stderr[-2000:]}")
    return out.stdout


def post(url: str, action: str, data: dict, token: str | None = None, timeout: float = 30) -> tuple[int, dict]:
    req = urllib.request.Request(f"{url}/api/3/action/{action}", data=json.dumps(data).encode(),
                                 headers={"Content-Type": "application/json", **({"Authorization": token} if token else {})})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as res:
            return res.status, json.loads(res.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))] if values else float("nan")


def bench_ini(ini: Path, out: Path) -> Path:
    out.write_text(f"""# written by bench/boards_bench.py: {ini} with the per-address lookup limit lifted
[DEFAULT]
[app:main]
use = config:{ini}
ckanext.qingyang.boards.lookup_limit =
""", encoding="utf-8")
    return out


def prepare(ini: Path) -> str:
    ckan_cli(ini, "qingyang", "load-orgs")
    users = ckan_cli(ini, "user", "list")
    if "boards-bench" not in users:
        ckan_cli(ini, "user", "add", "boards-bench", "email=boards-bench@example.cn",
                 f"password=Bench-{uuid.uuid4().hex}")
    out = ckan_cli(ini, "user", "token", "add", "boards-bench", f"bench-{int(time.time())}")
    return out.strip().splitlines()[-1].strip()


def start_server(ini: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, CKAN_INI=str(ini),
               PYTHONPATH=os.environ.get("PYTHONPATH", str(ROOT / "ckanext-qingyang")))
    proc = subprocess.Popen([str(VENV / "bin" / "gunicorn"), "ckan_wsgi:application", "--workers", str(workers),
                             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
                            cwd=ROOT / "scripts", env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
                            start_new_session=True)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/3/action/status_show", timeout=2):
                return proc
        except Exception:
            time.sleep(1)
    proc.terminate()
    raise SystemExit(f"CKAN did not start on {port} (see {log})")


def submissions(url: str, token: str, rate: float, seconds: int, tag: str, threads: int) -> dict:
    n = int(rate * seconds)
    results: list[tuple[int, float, float, str | None]] = [None] * n   # status, latency, start delay, code
    t0 = time.perf_counter() + 0.5

    def one(i: int) -> None:
        due = t0 + i / rate
        wait = due - time.perf_counter()
        if wait > 0:
            time.sleep(wait)
        started = time.perf_counter()
        rng = random.Random(i)
        data = {"kind": rng.choice(["咨询", "建议", "投诉", "求助"]),
                "organization": "qingyang-housing" if i % 4 else "不清楚",
                "title": f"{tag} 第{i}号压测留言", "content": "压测内容:小区路灯不亮,请尽快维修。" * 3,
                "name": "压测", "phone": f"13{rng.randint(0, 999999999):09d}", "publish_consent": i % 2 == 0}
        try:
            status, body = post(url, "qingyang_message_create", data, token)
            code = body.get("result", {}).get("code") if status == 200 else None
        except Exception as e:   # a refused or dropped connection is an error too
            status, code = 0, None
            print(f"  request {i}: {e}", file=sys.stderr)
        results[i] = (status, time.perf_counter() - started, started - due, code)

    began = time.perf_counter()
    with cf.ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(n)))
    elapsed = time.perf_counter() - began
    lat = [r[1] * 1000 for r in results]
    errors = [r[0] for r in results if r[0] != 200]
    return {"sent": n, "ok": n - len(errors), "errors": len(errors), "error_statuses": sorted(set(errors)),
            "elapsed_s": round(elapsed, 1), "achieved_per_s": round(n / elapsed, 1),
            "p50_ms": round(pct(lat, 50), 1), "p95_ms": round(pct(lat, 95), 1), "max_ms": round(max(lat), 1),
            "late_starts_over_100ms": sum(1 for r in results if r[2] > 0.1),
            "codes": [r[3] for r in results if r[3]]}


def stored(ini: Path, tag: str) -> int:
    from configparser import ConfigParser

    url = None
    for path in (ini,):
        cp = ConfigParser(strict=False, interpolation=None)
        cp.read(path)
        url = cp.get("app:main", "sqlalchemy.url", fallback=None)
    out = subprocess.run(["psql", url, "-At", "-c", f"SELECT count(*) FROM qingyang_message WHERE title LIKE '{tag} %'"],
                         capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def lookups(url: str, codes: list[str], clients: int, per_client: int) -> dict:
    lat: list[float] = []
    errors = [0]
    lock = threading.Lock()

    def client(k: int) -> None:
        rng = random.Random(k)
        mine = []
        for _ in range(per_client):
            code = rng.choice(codes)
            t = time.perf_counter()
            status, body = post(url, "qingyang_message_show", {"code": code})
            ms = (time.perf_counter() - t) * 1000
            ok = status == 200 and body["result"]["code"] == code
            with lock:
                mine.append(ms)
                errors[0] += not ok
        with lock:
            lat.extend(mine)

    for code in codes[:20]:                    # warm up
        post(url, "qingyang_message_show", {"code": code})
    with cf.ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return {"clients": clients, "n": len(lat), "errors": errors[0], "p50_ms": round(pct(lat, 50), 1),
            "p95_ms": round(pct(lat, 95), 1), "max_ms": round(max(lat), 1), "mean_ms": round(statistics.mean(lat), 1)}


def machine() -> dict:
    mem = next((l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines() if l.startswith("MemTotal")), "?")
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu": cpu, "mem_gb": round(int(mem) / 1024 / 1024, 1),
            "python": platform.python_version(), "load_avg": os.getloadavg(), "host": platform.node()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ini", type=Path, required=True, help="the CKAN config to inherit (a test or bench site's)")
    ap.add_argument("--port", type=int, default=5081)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--rate", type=float, default=50)
    ap.add_argument("--seconds", type=int, default=60)
    ap.add_argument("--threads", type=int, default=32, help="client threads sending the submissions")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--lookups", type=int, default=250, help="lookups per client")
    ap.add_argument("--out", type=Path, default=ROOT / "var" / "bench")
    args = ap.parse_args()
    ini = args.ini.resolve()
    if ini.name == "ckan.ini":
        raise SystemExit("refusing to run against the platform's ckan.ini: use a test or bench site's config")
    args.out.mkdir(parents=True, exist_ok=True)
    token = prepare(ini)
    site_ini = bench_ini(ini, args.out / "boards-bench.ini")
    server = start_server(site_ini, args.port, args.workers, args.out / "boards-bench-server.log")
    url = f"http://127.0.0.1:{args.port}"
    tag = f"BENCH-{dt.datetime.now():%Y%m%d%H%M%S}"
    try:
        sub = submissions(url, token, args.rate, args.seconds, tag, args.threads)
        rows = stored(ini, tag)
        look = lookups(url, sub["codes"], args.clients, args.lookups) if sub["codes"] else {}
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)
    codes = sub.pop("codes")
    sub["rows_stored"] = rows
    sub["lost"] = len(codes) - rows
    report = {"when": dt.datetime.now().isoformat(timespec="seconds"), "tag": tag, "ini": str(ini),
              "workers": args.workers, "submissions": sub, "lookups": look, "machine": machine(),
              "code": subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                                     text=True).stdout.strip()}
    path = args.out / f"boards-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(report, ensure_ascii=False, indent=2))
    missed = []
    if sub["errors"] or sub["lost"] or sub["achieved_per_s"] < args.rate * 0.95:
        missed.append("submissions")
    if not look or look["errors"] or look["p95_ms"] > 100:
        missed.append("lookups")
    print(f"written {path}; " + ("targets met" if not missed else f"MISSED: {', '.join(missed)}"))
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())

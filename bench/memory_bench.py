"""Benchmark: the whole stack's memory, idle and under the mixed load (issue 18, §3).

Goal: the idle stack ≤ 3 GB in all, and Solr's heap ≤ 512 MB. Exit 1 if either is missed.

Per service (each supervisor program of `make up` with its child processes, and PostgreSQL's
postmaster with its backends) it reports RSS and PSS. RSS counts a page shared by a
service's processes (gunicorn's forked workers, PostgreSQL's shared buffers) once per process,
so it overstates; PSS divides each shared page among the processes sharing it, so the PSS of
the services adds up to what the machine really holds. The totals and the goal use PSS.
Solr's heap is read from Solr itself (the JVM's max and used heap, /solr/admin/info/system).

  .venv/ckan/bin/python bench/memory_bench.py                     # idle, then 60 s of load
  .venv/ckan/bin/python bench/memory_bench.py --load-seconds 0    # idle only

The load is bench/load_mixed.py (8 readers, 2 writers) against the platform's CKAN; while it
runs, every service is sampled each second and its peak is kept. Linux only (reads /proc);
run as root, or as the user that owns every service (smaps_rollup is private).
Report: var/bench/memory-<time>.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GOAL_TOTAL_MB = 3 * 1024
GOAL_SOLR_HEAP_MB = 512


def children() -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            out.setdefault(ppid, []).append(int(entry))
    return out


def tree(pid: int, kids: dict[int, list[int]]) -> list[int]:
    todo, seen = [pid], []
    while todo:
        p = todo.pop()
        seen.append(p)
        todo.extend(kids.get(p, []))
    return seen


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of one process in kB; (0, 0) once it has gone."""
    try:
        text = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0, 0
    values = {}
    for line in text.splitlines()[1:]:
        key, _, rest = line.partition(":")
        if rest.strip().endswith("kB"):
            values[key] = int(rest.split()[0])
    return values.get("Rss", 0), values.get("Pss", 0)


def services() -> dict[str, int]:
    """Service name → its top process: each supervisor program, and PostgreSQL's postmaster."""
    conf = ROOT / "var" / "run" / "supervisord.conf"
    out = {}
    status = subprocess.run([str(ROOT / ".venv" / "tools" / "bin" / "supervisorctl"), "-c", str(conf), "status"],
                            capture_output=True, text=True).stdout
    for line in status.splitlines():
        parts = line.split()
        if len(parts) >= 4 and parts[1] == "RUNNING" and parts[2] == "pid":
            out[parts[0]] = int(parts[3].rstrip(","))
    for pidfile in sorted(Path("/var/run/postgresql").glob("*.pid")):
        try:
            out[f"postgresql-{pidfile.stem}"] = int(pidfile.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pass
    return out


def sample(tops: dict[str, int]) -> dict[str, dict[str, float]]:
    kids = children()
    out = {}
    for name, top in tops.items():
        pids = tree(top, kids)
        rss = pss = 0
        for p in pids:
            r, s = memory_kb(p)
            rss, pss = rss + r, pss + s
        out[name] = {"processes": len(pids), "rss_mb": round(rss / 1024, 1), "pss_mb": round(pss / 1024, 1)}
    return out


def solr_heap(url: str) -> dict[str, float] | None:
    try:
        with urllib.request.urlopen(f"{url}/admin/info/system?wt=json", timeout=10) as r:
            raw = json.load(r)["jvm"]["memory"]["raw"]
    except (OSError, KeyError, ValueError):
        return None
    return {"max_mb": round(raw["max"] / 2**20, 1), "used_mb": round(raw["used"] / 2**20, 1)}


def solr_url() -> str:
    import configparser

    ini = configparser.ConfigParser(interpolation=None, strict=False)
    ini.read(ROOT / "var" / "ckan" / "ckan.ini")
    core = ini.get("app:main", "solr_url", fallback="http://127.0.0.1:8983/solr/ckan")
    return core.rsplit("/", 1)[0]


def table(title: str, figures: dict[str, dict[str, float]]) -> str:
    lines = [title, f"  {'service':28} {'procs':>5} {'RSS MB':>9} {'PSS MB':>9}"]
    for name, f in sorted(figures.items(), key=lambda kv: -kv[1]["pss_mb"]):
        lines.append(f"  {name:28} {f['processes']:>5} {f['rss_mb']:>9.1f} {f['pss_mb']:>9.1f}")
    lines.append(f"  {'total':28} {'':>5} {sum(f['rss_mb'] for f in figures.values()):>9.1f} "
                 f"{sum(f['pss_mb'] for f in figures.values()):>9.1f}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settle", type=float, default=5, help="seconds of quiet before the idle sample")
    parser.add_argument("--load-seconds", type=int, default=60, help="seconds of bench/load_mixed.py (0: none)")
    parser.add_argument("--skip", action="append", default=["ckan-test"],
                        help="supervisor programs to leave out (default: the test site's ckan-test)")
    args = parser.parse_args()

    tops = {n: p for n, p in services().items() if n not in args.skip}
    if not tops:
        print("no services found: is the `make up` stack running?", file=sys.stderr)
        return 2
    time.sleep(args.settle)
    idle = sample(tops)
    heap_idle = solr_heap(solr_url())
    print(table("idle", idle))
    report = {"date": dt.datetime.now().isoformat(timespec="seconds"), "machine": platform.node(),
              "cpus": os.cpu_count(), "idle": idle, "solr_heap_idle": heap_idle}

    if args.load_seconds:
        load = subprocess.Popen([sys.executable, str(ROOT / "bench" / "load_mixed.py"),
                                 "--seconds", str(args.load_seconds)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        peak: dict[str, dict[str, float]] = {}
        heap_peak = None
        while load.poll() is None:
            for name, f in sample(tops).items():
                if f["pss_mb"] > peak.get(name, {"pss_mb": -1})["pss_mb"]:
                    peak[name] = f
            h = solr_heap(solr_url())
            if h and (heap_peak is None or h["used_mb"] > heap_peak["used_mb"]):
                heap_peak = h
            time.sleep(1)
        output = load.stdout.read() if load.stdout else ""
        print(table(f"peak under the mixed load ({args.load_seconds} s, each service's own peak)", peak))
        report.update(load=peak, solr_heap_load=heap_peak, load_exit=load.returncode,
                      load_output_tail=output.splitlines()[-15:])
        if load.returncode:
            print(f"load_mixed.py exited {load.returncode}:\n" + "\n".join(output.splitlines()[-15:]))

    total = sum(f["pss_mb"] for f in idle.values())
    heap_max = (heap_idle or {}).get("max_mb")
    print(f"idle total (PSS): {total:.0f} MB (goal ≤ {GOAL_TOTAL_MB} MB); "
          f"Solr heap max {heap_max} MB (goal ≤ {GOAL_SOLR_HEAP_MB} MB), used idle {(heap_idle or {}).get('used_mb')} MB"
          + (f", at most {report['solr_heap_load']['used_mb']} MB under load" if report.get("solr_heap_load") else ""))
    out = ROOT / "var" / "bench" / f"memory-{dt.datetime.now():%Y%m%d-%H%M%S}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print(f"report: {out.relative_to(ROOT)}")
    ok = total <= GOAL_TOTAL_MB and heap_max is not None and heap_max <= GOAL_SOLR_HEAP_MB
    return 0 if ok and not report.get("load_exit") else 1


if __name__ == "__main__":
    sys.exit(main())

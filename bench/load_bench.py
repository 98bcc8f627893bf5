"""Benchmark: loading department lists through qingyang_list_import vs the plain route.

Runs on the test site of the stack from `make up` (var/ckan/test.ini, served on
TEST_CKAN_PORT by the `ckan-test` program), which it resets before each cold load,
so the platform's own catalog is never touched. With the demo generator's data:

  1. bulk full load     qingyang_list_import in 500-row requests, two in flight, as the
                        pipeline sends them (cold)
  2. bulk rerun         the same rows again (nothing changes)
  3. bulk 1% changed    1% of rows edited
  4. plain route        reset, then `ckanapi load datasets`: one package_create per
                        item over HTTP (cold); --plain-items N times it on whole
                        departments holding about N items and compares per-item rates

  .venv/ckan/bin/python bench/load_bench.py --size 50000 [--plain-items 5000] [--skip-plain] [--profile]

--profile samples the test site's CKAN workers with py-spy (requirements/tools.txt) during the
cold load and the 1% change, and prints where their time goes (bench/profile_summary.py); the
collapsed stacks stay in var/bench/ for a flame graph.

Do not run it together with `make test` (both use the test site).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ckanext-qingyang"))

from ckanapi import RemoteCKAN  # noqa: E402

from ckanext.qingyang import demo  # noqa: E402
from ckanext.qingyang.core import listdef, orgtree  # noqa: E402

CKAN = str(ROOT / ".venv/ckan/bin/ckan")
TEST_INI = str(ROOT / "var/ckan/test.ini")
TOKEN_FILE = ROOT / "var/secrets/ckan_bench_token"


def sh(*args: str) -> None:
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def reset_site() -> str:
    """An empty test site with the organization tree; returns a fresh API token."""
    sh(CKAN, "-c", TEST_INI, "db", "clean", "--yes")
    sh(CKAN, "-c", TEST_INI, "db", "init")
    sh(CKAN, "-c", TEST_INI, "db", "pending-migrations", "--apply")
    sh(CKAN, "-c", TEST_INI, "search-index", "clear")
    sh(CKAN, "-c", TEST_INI, "qingyang", "load-orgs", "pipeline-token", "--renew", "--file", str(TOKEN_FILE))
    sh("bash", str(ROOT / "scripts/services.sh"), "stop-one", "ckan-test")
    sh("bash", str(ROOT / "scripts/services.sh"), "start", "ckan-test")
    return TOKEN_FILE.read_text().strip()


def workers() -> list[int]:
    """The ckan-test gunicorn master's worker processes."""
    out = subprocess.run([str(ROOT / ".venv/tools/bin/supervisorctl"), "-c", str(ROOT / "var/run/supervisord.conf"),
                          "pid", "ckan-test"], capture_output=True, text=True).stdout.strip()
    master = int(out)
    kids = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout.split()
    return [int(k) for k in kids]


def profiled(label: str, enabled: bool, fn):
    """timed(label, fn), with py-spy recording every ckan-test worker meanwhile when enabled."""
    if not enabled:
        return timed(label, fn)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    spies, files = [], []
    for pid in workers():
        path = out / f"profile-{label.split()[1]}-{stamp}-{pid}.txt"
        files.append(path)
        spies.append(subprocess.Popen([str(ROOT / ".venv/tools/bin/py-spy"), "record", "-p", str(pid), "--rate", "50",
                                       "--format", "raw", "--nonblocking", "-o", str(path)],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    try:
        return timed(label, fn)
    finally:
        for spy in spies:
            spy.send_signal(2)       # py-spy writes its file on SIGINT
            spy.wait(timeout=120)
        subprocess.run([sys.executable, str(ROOT / "bench" / "profile_summary.py"), *map(str, files)])


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<30} {seconds:8.1f} s", flush=True)
    return seconds, result


def bulk(url, token, generated, workers, chunk_rows=500):
    """qingyang_list_import in requests of chunk_rows rows (as the pipeline sends them),
    `workers` requests at a time."""
    totals = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}

    def one(request):
        org, type_name, rows = request
        with RemoteCKAN(url, apikey=token) as ckan:
            return ckan.call_action("qingyang_list_import", {"organization": org, "type": type_name, "rows": rows})

    requests = [(org, t, rows[i:i + chunk_rows]) for (org, t), rows in generated.items()
                for i in range(0, len(rows), chunk_rows)]
    # power items first: responsibility items refer to them
    powers = [r for r in requests if r[1] == "power_item"]
    others = [r for r in requests if r[1] != "power_item"]
    with ThreadPoolExecutor(workers) as pool:
        results = list(pool.map(one, powers)) + list(pool.map(one, others))
    for r in results:
        for k in ("created", "updated", "unchanged"):
            totals[k] += r[k]
        totals["errors"] += len(r["errors"])
    return totals


def plain_jsonl(generated, path: Path) -> int:
    """The same items as package dicts for `ckanapi load datasets`."""
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for (org, type_name), rows in generated.items():
            lt = listdef.load_type(type_name)
            for row in rows:
                item, _ = listdef.row_to_item(lt, row)
                item = {k: v for k, v in item.items() if v is not None}
                item.update(type=type_name, owner_org=org, name=listdef.natural_name(lt, org, item))
                f.write(json.dumps(item, ensure_ascii=False) + "\n")
                n += 1
    return n


def sample_departments(generated, items: int, seed: int):
    """Whole departments, in a seeded order, until about `items` items: their
    responsibility items find the power items they refer to."""
    orgs = sorted({org for org, _ in generated})
    random.Random(seed).shuffle(orgs)
    chosen, count = set(), 0
    for org in orgs:
        if count >= items:
            break
        chosen.add(org)
        count += sum(len(rows) for (o, _), rows in generated.items() if o == org)
    return {k: rows for k, rows in generated.items() if k[0] in chosen}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--skip-plain", action="store_true")
    parser.add_argument("--profile", action="store_true", help="py-spy on the CKAN workers (cold load, 1%% change)")
    parser.add_argument("--workers", type=int, default=2,
                        help="import requests in flight at once (the pipeline's default: 2)")
    parser.add_argument("--plain-items", type=int, default=0,
                        help="time the plain route on whole departments holding about this many items "
                             "and compare rates (default: all items)")
    args = parser.parse_args()
    url = f"http://127.0.0.1:{os.environ.get('TEST_CKAN_PORT', '5050')}"

    orgs = orgtree.read_tree(ROOT / "catalogs/organizations.yaml")
    generated = demo.generate(orgs, args.size, args.seed)
    n = sum(map(len, generated.values()))
    print(f"{n} items; {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}")

    token = reset_site()
    full, r1 = profiled("bulk full load (cold)", args.profile, lambda: bulk(url, token, generated, args.workers))
    rerun, r2 = timed("bulk rerun (no change)", lambda: bulk(url, token, generated, args.workers))
    changed = {k: [dict(r) for r in rows] for k, rows in generated.items()}
    flat = [r for rows in changed.values() for r in rows]
    for row in random.Random(args.seed).sample(flat, max(1, n // 100)):
        row["最后确认日期"] = "2026-11-01"
    one, r3 = profiled("bulk 1% changed", args.profile, lambda: bulk(url, token, changed, args.workers))
    print(f"  full: {r1}\n  rerun: {r2}\n  1%: {r3}")
    if not args.skip_plain:
        plain_set = sample_departments(generated, args.plain_items, args.seed) if args.plain_items else generated
        m = sum(map(len, plain_set.values()))
        token = reset_site()
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "plain.jsonl"
            plain_jsonl(plain_set, path)
            # ckanapi starts its workers by name: its venv's bin must be on PATH
            env = dict(os.environ, PATH=f"{ROOT / '.venv/ckan/bin'}:{os.environ.get('PATH', '')}")
            cmd = ["ckanapi", "load", "datasets", "-r", url, "-a", token, "-I", str(path), "-p", "1", "-q"]
            plain, done = timed(f"plain route (cold, {m} items)", lambda: subprocess.run(cmd, env=env))
        if done.returncode:
            sys.exit(f"ckanapi load failed ({done.returncode})")
        print(f"plain route: {plain / m * 1000:.1f} ms/item; bulk: {full / n * 1000:.1f} ms/item")
        print(f"bulk full load: {(plain / m) / (full / n):.2f}x the speed of the plain route"
              + ("" if m == n else f" (plain route timed on {m} of the {n} items, from an empty site)"))


if __name__ == "__main__":
    main()

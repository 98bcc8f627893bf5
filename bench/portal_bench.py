"""Benchmark: the public portal's pages under 8 concurrent clients on a large catalog.

Target (issue "The public portal", §3 Speed): portal pages answer p95 <= 300 ms with
8 concurrent clients on the 50,000-item catalog.

It runs on its own BENCH site, isolated from the platform (var/ckan/ckan.ini,
database ckan_default) and from the test site (var/ckan/test.ini, ckan_test):

  database   ckan_bench (+ datastore_bench), owner ckan_default, made if missing
  config     var/ckan/bench.ini: ckan.ini with its own databases, ckan.site_id
             qingyang-bench (the Solr core is shared, filtered by site_id), Redis db 2,
             storage var/ckan/bench-storage, its own SECRET_KEY
  catalog    `ckan -c var/ckan/bench.ini qingyang load-orgs demo --size N`, only when
             Solr does not already hold that catalog for qingyang-bench (--reload: empty
             the bench site and its own Solr documents first, then load)
  server     gunicorn as scripts/run-ckan.sh serves the platform (scripts/ckan_wsgi.py,
             2 workers, timeout 120) on --port, started and stopped by this script;
             access log var/log/ckan-bench-access.log, other output var/log/ckan-bench.log

Then it warms every URL up and measures, with --clients threads (default 8), --requests
requests (default 200) per URL, then a mixed run over all URLs in a seeded order. It
prints n, p50, p95, max and errors per URL, writes var/bench/portal-<date>.json with the
machine's facts, and exits 1 when any page (not the two API calls) has p95 over
--target-ms (default 300) or any error.

  .venv/ckan/bin/python bench/portal_bench.py [--size 50000] [--requests 200]
  .venv/ckan/bin/python bench/portal_bench.py --prepare-only     # load the catalog, no measuring

A 50,000-item load takes about an hour on a 2-core machine: run --prepare-only once
(nohup), later runs find the catalog and skip the load.
"""
from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import math
import os
import platform
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

SITE_ID = "qingyang-bench"
CKAN_DB = "ckan_bench"
DATASTORE_DB = "datastore_bench"
REDIS_DB = 2
HUANXIAN = "621022"  # 环县

# (label, path, extra headers, kind): kind "page" is checked against the target.
QUERY = "营业执照"


def urls(guide_name: str) -> list[tuple[str, str, dict, str]]:
    q = urllib.parse.quote
    return [
        ("home", "/", {}, "page"),
        ("search 营业执照", f"/search?q={q(QUERY)}", {}, "page"),
        ("search 低保", f"/search?q={q('低保')}", {}, "page"),
        ("search sbk", "/search?q=sbk", {}, "page"),
        ("theme approval", "/theme/approval", {}, "page"),
        ("theme service", "/theme/service", {}, "page"),
        ("theme sunshine", "/theme/sunshine", {}, "page"),
        ("sunshine fund", "/theme/sunshine?list=fund", {}, "page"),
        ("sunshine poverty", "/theme/sunshine?list=poverty", {}, "page"),
        ("jurisdiction", "/jurisdiction", {}, "page"),
        ("guide (approval item)", f"/dataset/{guide_name}", {}, "page"),
        ("dataset search", f"/dataset/?q={q(QUERY)}", {}, "page"),
        ("dataset search 环县", f"/dataset/?q={q(QUERY)}", {"Cookie": f"qy_jurisdiction={HUANXIAN}"}, "page"),
        ("api portal_search", f"/api/3/action/qingyang_portal_search?q={q(QUERY)}", {}, "api"),
        ("api package_search", f"/api/3/action/package_search?q={q(QUERY)}", {}, "api"),
    ]


# ---------------------------------------------------------------- the bench site

class Site:
    def __init__(self, root: Path):
        self.root = root
        self.var = root / "var"
        self.ckan_ini = self.var / "ckan/ckan.ini"
        self.ini = self.var / "ckan/bench.ini"
        self.storage = self.var / "ckan/bench-storage"
        self.venv = root / ".venv/ckan"
        self.ckan = str(self.venv / "bin/ckan")
        ports = {}
        for line in (root / "ports.env").read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                k, v = line.split("=", 1)
                ports[k.strip()] = os.environ.get(k.strip(), v.strip())
        self.ports = ports
        self.env = dict(os.environ, PATH=f"{self.venv / 'bin'}:{os.environ.get('PATH', '')}")

    # -- helpers
    def run(self, *args: str, log=None, **kw) -> subprocess.CompletedProcess:
        return subprocess.run(args, check=True, env=self.env, text=True,
                              stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT if log else subprocess.PIPE, **kw)

    def ckan_cmd(self, *args: str, log=None) -> subprocess.CompletedProcess:
        return self.run(self.ckan, "-c", str(self.ini), *args, log=log)

    def psql_su(self, sql: str | None = None, stdin: str | None = None, db: str | None = None) -> str:
        cmd = ["runuser", "-u", "postgres", "--", "psql", "-p", self.ports["PG_PORT"],
               "-v", "ON_ERROR_STOP=1", "-qAt"]
        if db:
            cmd += ["-d", db]
        if sql:
            cmd += ["-c", sql]
        return subprocess.run(cmd, check=True, text=True, input=stdin, capture_output=True).stdout.strip()

    def ini_value(self, key: str) -> str:
        for line in self.ini.read_text(encoding="utf-8").splitlines():
            k, sep, v = line.partition("=")
            if sep and k.strip() == key:
                return v.strip()
        raise KeyError(key)

    # -- steps
    def ensure_databases(self) -> None:
        for db in (CKAN_DB, DATASTORE_DB):
            if not self.psql_su(f"select 1 from pg_database where datname='{db}'"):
                self.psql_su(f"create database {db} owner ckan_default encoding 'UTF8' template template0")
                print(f"created database {db}", flush=True)

    def ensure_ini(self) -> None:
        pg = self.ports["PG_PORT"]
        ckan_pw = (self.var / "secrets/pg_ckan_password").read_text().strip()
        ro_pw = (self.var / "secrets/pg_datastore_ro_password").read_text().strip()
        if not self.ini.exists():
            # derived from the platform's config; its own SECRET_KEY (the ini's CSRF and
            # API token secrets are written as %(SECRET_KEY)s and follow it)
            old_umask = os.umask(0o077)
            try:
                shutil.copyfile(self.ckan_ini, self.ini)
            finally:
                os.umask(old_umask)
            self.run(self.ckan, "config-tool", str(self.ini), f"SECRET_KEY={secrets.token_urlsafe(24)}")
        self.storage.mkdir(parents=True, exist_ok=True)
        overrides = {
            "sqlalchemy.url": f"postgresql://ckan_default:{ckan_pw}@127.0.0.1:{pg}/{CKAN_DB}",
            "ckan.datastore.write_url": f"postgresql://ckan_default:{ckan_pw}@127.0.0.1:{pg}/{DATASTORE_DB}",
            "ckan.datastore.read_url": f"postgresql://datastore_ro:{ro_pw}@127.0.0.1:{pg}/{DATASTORE_DB}",
            "ckan.site_id": SITE_ID,
            "ckan.site_url": f"http://127.0.0.1:{self.port}",
            "ckan.redis.url": f"redis://127.0.0.1:{self.ports['REDIS_PORT']}/{REDIS_DB}",
            "ckan.storage_path": str(self.storage),
        }
        self.run(self.ckan, "config-tool", str(self.ini), *(f"{k}={v}" for k, v in overrides.items()))
        self.check_isolated()

    def check_isolated(self) -> None:
        """Refuse to go on unless bench.ini points at the bench's own database and site_id."""
        url = self.ini_value("sqlalchemy.url")
        if not url.endswith(f"/{CKAN_DB}") or self.ini_value("ckan.site_id") != SITE_ID \
                or not self.ini_value("ckan.datastore.write_url").endswith(f"/{DATASTORE_DB}"):
            sys.exit(f"{self.ini} does not point at {CKAN_DB}/{DATASTORE_DB} and site_id {SITE_ID}: stopping")

    def migrate(self, log) -> None:
        try:
            self.ckan_cmd("db", "upgrade", log=log)
        except subprocess.CalledProcessError:
            self.ckan_cmd("db", "init", log=log)
        self.ckan_cmd("db", "pending-migrations", "--apply", log=log)
        sql = self.ckan_cmd("datastore", "set-permissions").stdout
        self.psql_su(stdin=sql)

    def indexed_count(self) -> int:
        """Active datasets of the bench site in the shared Solr core (private ones too)."""
        solr = self.ini_value("solr_url").rstrip("/")
        params = urllib.parse.urlencode([("q", "*:*"), ("rows", "0"), ("wt", "json"),
                                         ("fq", f'+site_id:"{SITE_ID}"'), ("fq", "+state:active")])
        with urllib.request.urlopen(f"{solr}/select?{params}", timeout=30) as r:
            return json.load(r)["response"]["numFound"]

    def clean(self, log) -> None:
        """Empty the bench site: its database tables and ITS Solr documents only."""
        self.check_isolated()
        self.ckan_cmd("search-index", "clear", log=log)  # deletes +site_id:"qingyang-bench"
        self.ckan_cmd("db", "clean", "--yes", log=log)
        self.ckan_cmd("db", "init", log=log)
        self.ckan_cmd("db", "pending-migrations", "--apply", log=log)

    def wait_solr(self, seconds: int = 600) -> None:
        deadline = time.time() + seconds
        while True:
            try:
                self.indexed_count()
                return
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(5)

    def load(self, size: int, seed: int, log, attempts: int = 3) -> float:
        """The demo load, run again when it fails (a Solr restart stops it): it is
        idempotent, and a rerun reindexes what a crash left unindexed."""
        start = time.perf_counter()
        for attempt in range(1, attempts + 1):
            try:
                self.ckan_cmd("qingyang", "load-orgs", "demo", "--size", str(size), "--seed", str(seed), log=log)
                break
            except subprocess.CalledProcessError:
                if attempt == attempts:
                    raise
                print(f"the load stopped (attempt {attempt}, see the log); waiting for Solr, then again",
                      flush=True)
                self.wait_solr()
        return time.perf_counter() - start


def expected_items(root: Path, size: int, seed: int) -> int:
    sys.path.insert(0, str(root / "ckanext-qingyang"))
    from ckanext.qingyang import demo
    from ckanext.qingyang.core import orgtree

    orgs = orgtree.read_tree(root / "catalogs/organizations.yaml")
    return len(demo.item_names(demo.generate(orgs, size, seed)))


def prepare(site: Site, args) -> dict:
    log_path = site.var / "log/portal-bench-setup.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    facts: dict = {}
    with log_path.open("a", encoding="utf-8") as log:
        log.write(f"\n=== {dt.datetime.now().isoformat(timespec='seconds')} prepare size={args.size}\n")
        log.flush()
        site.ensure_databases()
        site.ensure_ini()
        site.migrate(log)
        expected = expected_items(site.root, args.size, args.seed)
        if args.reload:
            print("--reload: emptying the bench site (ckan_bench, its Solr documents)", flush=True)
            site.clean(log)
        have = site.indexed_count()
        facts.update(expected_items=expected, indexed_before=have)
        if have == expected:
            print(f"bench site holds the catalog: {have} items (size {args.size}, seed {args.seed}); no load",
                  flush=True)
        elif have > expected:
            sys.exit(f"the bench site holds {have} items, more than the {expected} of --size {args.size}: "
                     f"rerun with --reload")
        else:
            # the demo loader is idempotent: an interrupted load resumes where it stopped
            print(f"loading organizations and the demo catalog ({expected} items, {have} present) "
                  f"into the bench site; log {log_path}", flush=True)
            log.flush()
            seconds = site.load(args.size, args.seed, log)
            have = site.indexed_count()
            facts.update(load_seconds=round(seconds, 1), indexed_after=have)
            print(f"loaded in {seconds:.0f} s: {have} items indexed", flush=True)
            if have != expected:
                print(f"WARNING: {have} items indexed, {expected} expected", flush=True)
        facts["items"] = have
    return facts


# ---------------------------------------------------------------- the server

class Server:
    def __init__(self, site: Site, port: int):
        self.site, self.port = site, port
        self.proc: subprocess.Popen | None = None
        self.log_path = site.var / "log/ckan-bench.log"  # gunicorn's and CKAN's own log lines
        self.log = self.log_path.open("a", encoding="utf-8")

    def start(self) -> None:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", self.port)) == 0:
                sys.exit(f"port {self.port} is in use: choose another with --port")
        env = dict(self.site.env, CKAN_INI=str(self.site.ini))
        # as scripts/run-ckan.sh, with its own access log
        self.proc = subprocess.Popen(
            [str(self.site.venv / "bin/gunicorn"), "ckan_wsgi:application",
             "--workers", "2", "--bind", f"127.0.0.1:{self.port}", "--timeout", "120",
             "--graceful-timeout", "10",
             "--access-logfile", str(self.site.var / "log/ckan-bench-access.log"),
             "--error-logfile", "-", "--log-level", "warning"],
            cwd=self.site.root / "scripts", env=env, start_new_session=True,
            stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"gunicorn stopped ({self.proc.returncode}); see {self.log_path}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/3/action/status_show", timeout=5):
                    break
            except (urllib.error.URLError, OSError):
                time.sleep(1)
        else:
            self.stop()
            sys.exit("the bench site did not answer within 120 s")
        print(f"gunicorn on 127.0.0.1:{self.port}: master {self.proc.pid}, workers {self.workers()}", flush=True)

    def workers(self) -> list[int]:
        if not self.proc:
            return []
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return [int(p) for p in out.stdout.split()]

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn: graceful stop of its workers
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None


# ---------------------------------------------------------------- measuring

BUST = itertools.count()
RUN = secrets.token_hex(4)   # in the buster too: a rerun within the cache's lifetime must not hit
COLD = None   # with --cold: the bench site's Redis, to bump the catalog generation


def fetch(base: str, path: str, headers: dict, bust: bool = False) -> tuple[float, str | None, bool]:
    """(seconds, error or None, answered from the portal's page cache)."""
    if bust:  # a new address each time: the page cache (keyed by the full path) never has it
        path += ("&" if "?" in path else "?") + f"_bench={RUN}-{next(BUST)}"
        if COLD is not None:  # as after an index write: kept data is stale too
            COLD.incr("qingyang:catalog:generation")
    req = urllib.request.Request(base + path, headers={"Accept-Language": "zh-CN", **headers})
    start = time.perf_counter()
    hit = False
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            status = r.status
            hit = r.headers.get("X-Qingyang-Cache") == "hit"
    except urllib.error.HTTPError as e:
        e.read()
        status = e.code
    except Exception as e:  # noqa: BLE001 - counted as an error and reported
        return time.perf_counter() - start, type(e).__name__, False
    return time.perf_counter() - start, None if status == 200 else f"HTTP {status}", hit


def pad(text: str, width: int) -> str:
    """Left-justify for a terminal: CJK characters take two columns."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - cols)


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    if not sorted_values:
        return float("nan")
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def summarize(samples: list[tuple[float, str | None, bool]]) -> dict:
    ok = sorted(s for s, err, _ in samples if err is None)
    errors: dict[str, int] = {}
    for _, err, _ in samples:
        if err:
            errors[err] = errors.get(err, 0) + 1
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    return {"n": len(samples), "p50_ms": ms(percentile(ok, 50)), "p95_ms": ms(percentile(ok, 95)),
            "max_ms": ms(ok[-1]) if ok else None, "errors": sum(errors.values()), "error_kinds": errors,
            "cache_hits": sum(1 for *_, hit in samples if hit)}


def run_load(base: str, jobs: list[tuple[str, dict, bool]], clients: int):
    """Every job (path, headers, bust) once, `clients` at a time; returns (latency, error,
    cache hit) per job and the wall time."""
    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        samples = list(pool.map(lambda job: fetch(base, *job), jobs))
    return samples, time.perf_counter() - start


def machine_facts() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu_model": cpu,
            "ram_gb": round(mem_kb / 1024 / 1024, 1), "python": platform.python_version(),
            "os": platform.platform(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds")}


def guide_item(base: str) -> str:
    """A published approval item (办事指南 page), the same one on every run."""
    params = urllib.parse.urlencode({"fq": "dataset_type:approval_item", "rows": 1, "sort": "name asc"})
    with urllib.request.urlopen(f"{base}/api/3/action/package_search?{params}", timeout=60) as r:
        results = json.load(r)["result"]["results"]
    if not results:
        sys.exit("no approval item on the bench site")
    return results[0]["name"]


def measure(base: str, args) -> dict:
    targets = urls(guide_item(base))
    print(f"warm-up: {args.warmup} requests per URL", flush=True)
    for _ in range(args.warmup):
        for _, path, headers, _ in targets:
            fetch(base, path, headers)
    results = {"per_url": [], "mixed": None}
    print(f"\n{args.clients} clients, {args.requests} requests per URL\n", flush=True)
    header = (f"{'URL':<24} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'errors':>6} {'req/s':>6} "
              f"{'cached':>6}")
    print(header + "\n" + "-" * len(header), flush=True)
    for label, path, headers, kind in targets:
        samples, wall = run_load(base, [(path, headers, args.cache_bust and kind == "page")] * args.requests,
                                 args.clients)
        row = {"label": label, "path": path, "headers": headers, "kind": kind, **summarize(samples),
               "req_per_s": round(len(samples) / wall, 1)}
        row["ok"] = kind != "page" or (row["errors"] == 0 and row["p95_ms"] <= args.target_ms)
        results["per_url"].append(row)
        print(f"{pad(label, 24)} {row['n']:>5} {row['p50_ms']:>8} {row['p95_ms']:>8} {row['max_ms']:>8} "
              f"{row['errors']:>6} {row['req_per_s']:>6} {row['cache_hits']:>6}" + ("" if row["ok"] else "  > target"),
              flush=True)
    # the API refuses unknown parameters: only pages get the cache buster
    jobs = [(path, headers, args.cache_bust and kind == "page")
            for _, path, headers, kind in targets] * max(1, args.mixed // len(targets))
    random.Random(args.seed).shuffle(jobs)
    samples, wall = run_load(base, jobs, args.clients)
    mixed = {"label": "mixed (all URLs)", **summarize(samples), "req_per_s": round(len(samples) / wall, 1)}
    results["mixed"] = mixed
    print("-" * len(header) + f"\n{pad(mixed['label'], 24)} {mixed['n']:>5} {mixed['p50_ms']:>8} {mixed['p95_ms']:>8} "
          f"{mixed['max_ms']:>8} {mixed['errors']:>6} {mixed['req_per_s']:>6} {mixed['cache_hits']:>6}", flush=True)
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=50000, help="demo catalog size (qingyang demo --size)")
    parser.add_argument("--seed", type=int, default=2017)
    parser.add_argument("--reload", action="store_true", help="empty the bench site and load the catalog again")
    parser.add_argument("--prepare-only", action="store_true", help="prepare and load the bench site, no measuring")
    parser.add_argument("--no-prepare", action="store_true",
                        help="measure the bench site as it is (no migrations, no catalog check or load)")
    parser.add_argument("--port", type=int, default=5070)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="requests per URL")
    parser.add_argument("--mixed", type=int, default=600, help="about this many requests in the mixed run")
    parser.add_argument("--warmup", type=int, default=4, help="sequential warm-up rounds over every URL")
    parser.add_argument("--target-ms", type=float, default=300.0)
    parser.add_argument("--cache-bust", action="store_true",
                        help="a new query parameter on every page request: the portal's page cache never "
                             "answers, so every page is rendered (a visitor's first view after a catalog change)")
    parser.add_argument("--cold", action="store_true",
                        help="as --cache-bust, and the catalog changes before every page request (the "
                             "generation in Redis is bumped): nothing kept answers, not even the data pages "
                             "share (the worst case: pages read while a collection run writes)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1],
                        help="the repository holding .venv/ and var/ (default: this script's)")
    args = parser.parse_args()

    site = Site(args.root.resolve())
    site.port = args.port
    if args.cold:
        import redis

        global COLD
        args.cache_bust = True
        COLD = redis.Redis(host="127.0.0.1", port=int(site.ports["REDIS_PORT"]), db=REDIS_DB)
    facts = machine_facts()
    print(f"{facts['host']}: {facts['cpus']} x {facts['cpu_model']}, {facts['ram_gb']} GB, "
          f"Python {facts['python']}, load {facts['loadavg_before']}", flush=True)
    if args.no_prepare:
        site.check_isolated()
        catalog = {"items": site.indexed_count(), "prepared": False}
    else:
        catalog = prepare(site, args)
    if args.prepare_only:
        return
    server = Server(site, args.port)
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: sys.exit(f"stopped by signal"))
    try:
        server.start()
        facts["gunicorn"] = {"workers": 2, "master_pid": server.proc.pid, "worker_pids": server.workers()}
        results = measure(f"http://127.0.0.1:{args.port}", args)
    finally:
        server.stop()
    facts["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    commit = subprocess.run(["git", "-C", str(site.root), "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(site.root), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    # the code the server ran: the venv's editable install, unless PYTHONPATH puts another first
    code = subprocess.run([str(site.venv / "bin/python"), "-c",
                           "import ckanext.qingyang as q; print(q.__path__[0])"],
                          capture_output=True, text=True, env=site.env).stdout.strip()
    if dirty:
        commit += " (with uncommitted changes)"
    failing = [r["label"] for r in results["per_url"] if not r["ok"]]
    out = {"machine": facts, "commit": commit, "code": code, "catalog": {"size": args.size, "seed": args.seed, **catalog},
           "settings": {k: getattr(args, k) for k in ("clients", "requests", "mixed", "warmup", "target_ms", "cache_bust", "cold")},
           **results, "pages_failing_target": failing}
    out_dir = site.var / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / f"portal-{dt.datetime.now():%Y-%m-%d-%H%M}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\n{len(results['per_url']) - len(failing)} of {len(results['per_url'])} URLs within target "
          f"(pages: p95 <= {args.target_ms:.0f} ms, no errors); results {path}")
    if failing:
        print("over target: " + ", ".join(failing))
        sys.exit(1)


if __name__ == "__main__":
    main()

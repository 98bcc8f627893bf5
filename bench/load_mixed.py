"""Benchmark: mixed load without loss (issue 17, §4) against the running platform.

For --seconds (60), 8 reader threads send portal pages, search pages and API reads
(package_search, package_show, qingyang_portal_search) while 2 writer threads write:
  - imports: `qingyang_list_import` of 5 便民服务 rows a request, as a department sends
    them, over a fixed pool of the department's bench items (each request sets new values);
  - reviews: on a second fixed pool, each cycle imports a change, submits it
    (`qingyang_item_submit`) and has the reviewing office approve or return it
    (`qingyang_item_review`).
The bar: 0 responses with status 5xx and 0 lost or duplicated writes, checked afterwards
in PostgreSQL and through the API: every imported item exists once with its last value,
every review is recorded once (its reason carries a unique token), every approval made
exactly one new published version, and the activity rows grew by exactly what the
same operations write on an idle server (measured before the load starts). Exit 1 if
the bar is not met. Report: var/bench/load-mixed-<time>.json.

What it creates, marked "压测" (easy to tell apart; reused on every run, so running it
twice adds no items): users `bench-load-editor` (editor of --org, 市民政局 by default) and
`bench-load-reviewer` (editor of --office, the 市政务服务中心 that reviews 便民服务), and
便民服务 items titled "压测事项 bench-load A00..", "B00.." of --org. Items the review
writer approved are published (public, 已发布): the workflow forbids purging published
items, so they stay, reused by the next run. `--cleanup` purges the drafts.

  .venv/ckan/bin/python bench/load_mixed.py                       # the make-up stack, 60 s
  .venv/ckan/bin/python bench/load_mixed.py --seconds 10 --base http://127.0.0.1:5071
"""
from __future__ import annotations

import argparse
import collections
import configparser
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
MAIN = Path("/work/main")
MARK = "压测事项 bench-load"
TYPE = "service_item"
EDITOR, REVIEWER = "bench-load-editor", "bench-load-reviewer"


# ---------------------------------------------------------------- HTTP
class Client:
    def __init__(self, base: str, timeout: float):
        self.base, self.timeout = base.rstrip("/"), timeout
        self.lock = threading.Lock()
        self.samples: dict[str, list[float]] = collections.defaultdict(list)
        self.status: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
        self.failures: list[dict] = []

    def _send(self, kind: str, req: urllib.request.Request) -> tuple[int, bytes]:
        t0 = time.perf_counter()
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                code, body = res.status, res.read()
        except urllib.error.HTTPError as e:
            code, body = e.code, e.read()
        except OSError as e:   # refused, reset, timed out: no answer at all
            code, body = 0, str(e).encode()
        ms = (time.perf_counter() - t0) * 1000
        with self.lock:
            self.status[kind][code] += 1
            if code == 200:
                self.samples[kind].append(ms)
            elif len(self.failures) < 200:
                self.failures.append({"kind": kind, "status": code, "url": req.full_url,
                                      "body": body[:500].decode("utf-8", "replace")})
        return code, body

    def get(self, kind: str, path: str) -> tuple[int, bytes]:
        return self._send(kind, urllib.request.Request(self.base + path, headers={"Accept-Language": "zh-CN"}))

    def action(self, kind: str, name: str, data: dict, token: str | None = None) -> tuple[int, dict]:
        req = urllib.request.Request(f"{self.base}/api/3/action/{name}", data=json.dumps(data).encode(),
                                     headers={"Content-Type": "application/json",
                                              **({"Authorization": token} if token else {})})
        code, body = self._send(kind, req)
        try:
            return code, json.loads(body)
        except ValueError:
            return code, {"raw": body[:300].decode("utf-8", "replace")}


def setup_call(client: Client, name: str, data: dict, token: str) -> dict:
    code, out = client.action("setup", name, data, token)
    if code != 200:
        raise SystemExit(f"{name} {data} failed ({code}): {json.dumps(out, ensure_ascii=False)[:600]}")
    return out["result"]


# ---------------------------------------------------------------- the bench's own users and items
def ensure_user(client: Client, admin: str, name: str, fullname: str, org: str) -> str:
    code, out = client.action("setup", "user_show", {"id": name}, admin)
    if code != 200:
        setup_call(client, "user_create", {"name": name, "email": f"{name}@localhost", "fullname": fullname,
                                           "password": uuid.uuid4().hex + "Aa1!"}, admin)
    setup_call(client, "organization_member_create", {"id": org, "username": name, "role": "editor"}, admin)
    return setup_call(client, "api_token_create", {"user": name, "name": "bench-load-mixed"}, admin)["token"]


def row(title: str, value: str, days: int) -> dict:
    return {"事项名称": title, "责任单位": "压测科室", "服务内容": value, "服务流程": "受理—审核—办结(压测数据)",
            "办结时限": str(days), "管理要求": "压测数据,不对外办理", "最后确认日期": dt.date.today().isoformat()}


# ---------------------------------------------------------------- database checks
class Db:
    def __init__(self, ini: Path):
        cp = configparser.ConfigParser(interpolation=None, strict=False)
        cp.read(ini, encoding="utf-8")
        self.engine = sa.create_engine(cp.get("app:main", "sqlalchemy.url"), pool_pre_ping=True)

    def q(self, sql: str, **kw) -> list[dict]:
        with self.engine.connect() as c:
            return [dict(r) for r in c.execute(sa.text(sql), kw).mappings()]

    def packages(self, org_id: str) -> dict[str, list[dict]]:
        """title -> the active packages of the bench with that title (more than one: duplicated)."""
        out: dict[str, list[dict]] = collections.defaultdict(list)
        for r in self.q("SELECT id, name, title FROM package WHERE owner_org = :o AND state = 'active' "
                        "AND title LIKE :m", o=org_id, m=MARK + "%"):
            out[r["title"]].append(r)
        return out

    def counts(self, ids: list[str]) -> dict[str, dict]:
        out = {i: {"activity": 0, "versions": 0, "published": 0, "reviews": 0} for i in ids}
        if not ids:
            return out
        for table, col, key in (("activity", "object_id", "activity"), ("qingyang_version", "package_id", "versions"),
                                ("qingyang_review", "package_id", "reviews")):
            for r in self.q(f"SELECT {col} AS id, count(*) AS n FROM {table} WHERE {col} = ANY(:ids) GROUP BY {col}",
                            ids=ids):
                out[r["id"]][key] = r["n"]
        for r in self.q("SELECT package_id AS id, count(*) AS n FROM qingyang_version WHERE package_id = ANY(:ids) "
                        "AND state = 'published' GROUP BY package_id", ids=ids):
            out[r["id"]]["published"] = r["n"]
        return out

    def id_of(self, name: str) -> str:
        return self.q("SELECT id FROM package WHERE name = :n", n=name)[0]["id"]

    def version_numbers_doubled(self, ids: list[str]) -> list[dict]:
        return self.q("SELECT package_id, number, count(*) AS n FROM qingyang_version WHERE package_id = ANY(:ids) "
                      "GROUP BY package_id, number HAVING count(*) > 1", ids=ids)

    def reviews_by_reason(self, token: str) -> collections.Counter:
        return collections.Counter(r["reason"] for r in self.q(
            "SELECT reason FROM qingyang_review WHERE reason LIKE :t", t=f"%{token}%"))


# ---------------------------------------------------------------- the load
def readers(client: Client, stop: threading.Event, n: int, seed: int, show_names: list[str]) -> list[threading.Thread]:
    queries = ["营业执照", "低保", "社保", "养老", "sbk", "户口", "残疾", "医保"]
    paths = [("page home", lambda r: "/"),
             ("page search", lambda r: "/search?" + urllib.parse.urlencode({"q": r.choice(queries)})),
             ("page dataset search", lambda r: "/dataset/?" + urllib.parse.urlencode({"q": r.choice(queries)})),
             ("api package_search", lambda r: "/api/3/action/package_search?" + urllib.parse.urlencode(
                 {"q": r.choice(queries), "rows": 10})),
             ("api package_show", lambda r: "/api/3/action/package_show?id=" + r.choice(show_names)),
             ("api qingyang_portal_search", lambda r: "/api/3/action/qingyang_portal_search?" + urllib.parse.urlencode(
                 {"q": r.choice(queries)}))]

    def loop(k: int) -> None:
        rng = random.Random(seed * 100 + k)
        while not stop.is_set():
            kind, make = rng.choice(paths)
            client.get(kind, make(rng))

    return [threading.Thread(target=loop, args=(k,), daemon=True) for k in range(n)]


class Ledger:
    """What the server acknowledged, to be found in the database afterwards."""

    def __init__(self):
        self.last_value: dict[str, str] = {}            # title -> the last acknowledged 服务内容
        self.last_published: dict[str, str] = {}        # review pool: title -> content last approved
        self.writes: collections.Counter = collections.Counter()   # title -> acknowledged import writes
        self.cycles: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)  # title -> cycle kinds
        self.reviews: dict[str, str] = {}               # reason token -> decision
        self.failed: list[dict] = []                    # writes that got no 200 (their effect is unknown)
        self.names: dict[str, str] = {}                 # title -> item name
        self.review_of: dict[str, set] = collections.defaultdict(set)   # title -> its review reasons


def import_rows(client: Client, ledger: Ledger, token: str, org: str, rows: list[dict], kind: str) -> dict | None:
    code, out = client.action(kind, "qingyang_list_import", {"organization": org, "type": TYPE, "rows": rows}, token)
    result = out.get("result") if code == 200 else None
    if result is None or result.get("errors"):
        ledger.failed.append({"op": kind, "status": code, "titles": [r["事项名称"] for r in rows],
                              "answer": json.dumps(out, ensure_ascii=False)[:400]})
        return None
    return result


def import_writer(client: Client, ledger: Ledger, stop: threading.Event, token: str, org: str, run: str,
                  pool: int, per_request: int) -> None:
    j = 0
    while not stop.is_set():
        titles = [f"{MARK} A{(j * per_request + i) % pool:02d}" for i in range(per_request)]
        values = {t: f"压测内容 {run} 第{j}次" for t in titles}
        result = import_rows(client, ledger, token, org, [row(t, values[t], 1 + j % 20) for t in titles], "write import")
        if result is not None:
            for t in titles:
                ledger.last_value[t] = values[t]
                ledger.writes[t] += 1
        j += 1


class ReviewCycle:
    """One review-pool item: import a change, submit it, approve or return it."""

    def __init__(self, client: Client, ledger: Ledger, db: "Db", org: str, editor: str, reviewer: str, run: str):
        self.db = db
        self.client, self.ledger, self.org, self.editor, self.reviewer, self.run = client, ledger, org, editor, reviewer, run

    def phase(self, name: str) -> str:
        """The item's state and its open version's (e.g. published+returned), as the next cycle finds it."""
        code, out = self.client.action("check", "package_show", {"id": name}, self.editor)
        state = (out.get("result") or {}).get("publish_state") or "?" if code == 200 else "?"
        opened = self.db.q("SELECT state FROM qingyang_version WHERE package_id = :p AND state IN "
                           "('draft', 'pending', 'returned') ORDER BY number DESC LIMIT 1", p=out["result"]["id"]) \
            if code == 200 else []
        return state + (f"+{opened[0]['state']}" if opened and opened[0]["state"] != state else "")

    def cycle(self, title: str, n: int, decision: str, kind: str = "write") -> bool:
        """True when every step was acknowledged; the cycle is counted for the activity check."""
        value = f"压测送审 {self.run} 第{n}次"
        result = import_rows(self.client, self.ledger, self.editor, self.org, [row(title, value, 3)], f"{kind} import")
        if result is None:
            return False
        name = result["names"][0]
        self.ledger.names[title] = name
        code, out = self.client.action(f"{kind} submit", "qingyang_item_submit", {"id": name, "declaration": True},
                                       self.editor)
        if code != 200:
            self.ledger.failed.append({"op": "submit", "status": code, "title": title,
                                       "answer": json.dumps(out, ensure_ascii=False)[:400]})
            return False
        token = f"[{self.run}-{n}]"
        reason = f"压测{'退回' if decision == 'return' else '通过'}{token}"
        code, out = self.client.action(f"{kind} review", "qingyang_item_review",
                                       {"id": name, "decision": decision, "reason": reason}, self.reviewer)
        if code != 200:
            self.ledger.failed.append({"op": "review", "status": code, "title": title, "reason": reason,
                                       "answer": json.dumps(out, ensure_ascii=False)[:400]})
            return False
        self.ledger.reviews[reason] = decision
        self.ledger.review_of[title].add(reason)
        if decision == "approve":
            self.ledger.last_published[title] = value
        return True

    def run_one(self, title: str, n: int, decision: str, kind: str = "write") -> bool:
        name = self.ledger.names.get(title)
        self._was = self.phase(name) if name else "new"
        done = self.cycle(title, n, decision, kind)
        self.ledger.cycles[title][f"{self._was} -> {decision}" if done else "failed"] += 1
        return done


def review_writer(rc: ReviewCycle, stop: threading.Event, pool: int) -> None:
    n = 0
    while not stop.is_set():   # every third review returns, in turn on every item of the pool
        k, rnd = n % pool, n // pool
        rc.run_one(f"{MARK} B{k:02d}", n, "return" if (k + rnd) % 3 == 2 else "approve")
        n += 1


# ---------------------------------------------------------------- report
def pct(values: list[float], p: float) -> float | None:
    values = sorted(values)
    return round(values[min(len(values) - 1, max(0, int(round(p / 100 * len(values) + 0.5)) - 1))], 1) if values else None


def machine() -> dict:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"host": platform.node(), "cpus": os.cpu_count(), "cpu_model": cpu, "ram_gb": round(mem_kb / 1048576, 1),
            "python": platform.python_version(), "loadavg_before": [round(x, 2) for x in os.getloadavg()],
            "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--base", default="http://127.0.0.1:5000", help="the CKAN to load (default: the make-up stack)")
    ap.add_argument("--ini", type=Path, default=MAIN / "var/ckan/ckan.ini", help="its config (for its database)")
    ap.add_argument("--admin-token-file", type=Path, default=MAIN / "var/secrets/ckan_pipeline_token",
                    help="a sysadmin's API token (default: the pipeline's)")
    ap.add_argument("--org", default="qingyang-civil-affairs", help="the department whose bench items are written")
    ap.add_argument("--office", default="qingyang-service-center", help="the office that reviews its 便民服务")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--readers", type=int, default=8)
    ap.add_argument("--import-pool", type=int, default=20)
    ap.add_argument("--review-pool", type=int, default=6)
    ap.add_argument("--rows", type=int, default=5, help="rows per import request")
    ap.add_argument("--timeout", type=float, default=120, help="client timeout per request (s)")
    ap.add_argument("--seed", type=int, default=17)
    ap.add_argument("--out", type=Path, default=ROOT / "var/bench")
    ap.add_argument("--cleanup", action="store_true", help="purge the bench's unpublished items and stop")
    args = ap.parse_args(argv)

    facts = machine()
    run = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:4]
    client = Client(args.base, args.timeout)
    admin = args.admin_token_file.read_text().strip()
    db = Db(args.ini)
    org_id = setup_call(client, "organization_show", {"id": args.org}, admin)["id"]
    if args.cleanup:
        purged = 0
        for title, pkgs in db.packages(org_id).items():
            for p in pkgs:
                code, _ = client.action("setup", "dataset_purge", {"id": p["id"]}, admin)
                purged += code == 200
        print(f"purged {purged} unpublished bench items; published ones stay (the workflow keeps them)")
        return 0
    editor = ensure_user(client, admin, EDITOR, "压测部门填报员", args.org)
    reviewer = ensure_user(client, admin, REVIEWER, "压测审核员", args.office)
    print(f"load_mixed {run}: {args.base}, {args.seconds:.0f} s, {args.readers} readers + 2 writers; "
          f"{facts['cpus']} CPUs, load {facts['loadavg_before']}", flush=True)

    ledger = Ledger()
    rc = ReviewCycle(client, ledger, db, args.org, editor, reviewer, run)
    # the pools exist (created on the first run), and the review pool's names are known
    first = import_rows(client, ledger, editor, args.org,
                        [row(f"{MARK} A{k:02d}", f"压测内容 {run} 准备", 1) for k in range(args.import_pool)], "setup")
    if first is None:
        raise SystemExit(f"preparing the import pool failed: {ledger.failed[-1]}")
    # calibration on the idle server: what each kind of step writes to the activity table
    calib: dict[str, int] = {}
    for title, decisions in ((f"{MARK} C00", ("approve", "approve", "return", "approve", "return", "return")),
                             (f"{MARK} C01", ("return", "return", "approve"))):
        for n, decision in enumerate(decisions):
            name = ledger.names.get(title) or next(iter(p["name"] for p in db.packages(org_id).get(title, [])), None)
            ledger.names[title] = name
            before = db.counts([db.id_of(name)])[db.id_of(name)]["activity"] if name else 0
            was = rc.phase(name) if name else "new"
            if not rc.run_one(title, 1000 + n, decision, kind="setup"):
                raise SystemExit(f"calibration failed: {ledger.failed[-1]}")
            name = ledger.names[title]
            calib[f"{was} -> {decision}"] = db.counts([db.id_of(name)])[db.id_of(name)]["activity"] - before
    for title, found in db.packages(org_id).items():   # the review pool of earlier runs
        ledger.names.setdefault(title, found[0]["name"])
    a_titles = [f"{MARK} A{k:02d}" for k in range(args.import_pool)]
    b_titles = [f"{MARK} B{k:02d}" for k in range(args.review_pool)]
    ids_before = {t: p[0]["id"] for t, p in db.packages(org_id).items()}
    counts_before = db.counts(list(ids_before.values()))
    ledger.cycles.clear()
    ledger.last_published.clear()
    setup_reasons = set(ledger.reviews)
    ledger.reviews.clear()
    ledger.review_of.clear()
    ledger.last_value.clear()
    ledger.writes.clear()
    client.samples.clear()
    client.status.clear()
    calib_failures = list(client.failures)

    # ---- the load
    names_for_show = []
    for query in ({"q": "营业执照", "rows": 20}, {"rows": 20}):   # the second for a small (test) site
        code, out = client.action("setup", "package_search", query)
        names_for_show = names_for_show or [p["name"] for p in (out.get("result") or {}).get("results", [])]
    names_for_show = names_for_show or [ledger.names[f"{MARK} C00"]]   # published by the calibration
    stop = threading.Event()
    threads = readers(client, stop, args.readers, args.seed, names_for_show)
    threads.append(threading.Thread(target=import_writer, daemon=True,
                                    args=(client, ledger, stop, editor, args.org, run, args.import_pool, args.rows)))
    threads.append(threading.Thread(target=review_writer, daemon=True, args=(rc, stop, args.review_pool)))
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(args.seconds)
    stop.set()
    for t in threads:
        t.join(timeout=args.timeout + 10)
    elapsed = time.perf_counter() - t0
    facts["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]

    # ---- lost or duplicated writes
    problems: list[str] = []
    pkgs = db.packages(org_id)
    for title in a_titles + b_titles:
        if len(pkgs.get(title, [])) > 1:
            problems.append(f"duplicated item: {title} x{len(pkgs[title])}")
        if title in (set(ledger.last_value) | set(ledger.cycles)) and not pkgs.get(title):
            problems.append(f"lost item: {title}")
    ids = {t: p[0]["id"] for t, p in pkgs.items() if t in set(a_titles + b_titles)}
    after = db.counts(list(ids.values()))
    for title, value in ledger.last_value.items():
        if title not in ids:
            continue
        code, out = client.action("check", "package_show", {"id": ids[title]}, editor)
        stored = (out.get("result") or {}).get("service_content")
        if stored != value:
            problems.append(f"lost write: {title} has {stored!r}, the last acknowledged import sent {value!r}")
        grew = after[ids[title]]["activity"] - counts_before.get(ids[title], {}).get("activity", 0)
        if grew != ledger.writes[title]:
            problems.append(f"activity of {title}: +{grew}, expected +{ledger.writes[title]} (one per write)")
    unchecked = []
    for title, cycles in ledger.cycles.items():
        if title not in ids:
            continue
        pid = ids[title]
        b, a = counts_before.get(pid, {"activity": 0, "versions": 0, "reviews": 0, "published": 0}), after[pid]
        reviews = sum(1 for reason in ledger.reviews if ledger.names.get(title) and reason in ledger.review_of[title])
        if a["reviews"] - b["reviews"] != reviews:
            problems.append(f"reviews of {title}: +{a['reviews'] - b['reviews']}, {reviews} acknowledged")
        if a["published"] > 1:
            problems.append(f"{title} has {a['published']} published versions")
        if "failed" in cycles or any(c not in calib for c in cycles):
            unchecked.append({"title": title, "cycles": dict(cycles)})
        else:
            expected = sum(n * calib[c] for c, n in cycles.items())
            if a["activity"] - b["activity"] != expected:
                problems.append(f"activity of {title}: +{a['activity'] - b['activity']}, expected +{expected} "
                                f"({dict(cycles)})")
        if title in ledger.last_published:
            code, out = client.action("check", "package_show", {"id": pid})
            shown = (out.get("result") or {}).get("service_content")
            if shown != ledger.last_published[title] and not any(
                    f.get("title") == title for f in ledger.failed):
                problems.append(f"published content of {title}: {shown!r}, last approved {ledger.last_published[title]!r}")
    for problem in db.version_numbers_doubled(list(ids.values())):
        problems.append(f"version number doubled: {problem}")
    recorded = db.reviews_by_reason(f"[{run}-")
    for reason, decision in ledger.reviews.items():
        if recorded.get(reason, 0) != 1:
            problems.append(f"review {reason} ({decision}) recorded {recorded.get(reason, 0)} times")
    for reason in set(recorded) - set(ledger.reviews) - setup_reasons:
        if not any(f.get("reason") == reason for f in ledger.failed):
            problems.append(f"review {reason} recorded but never acknowledged")

    # ---- figures
    kinds = sorted(set(client.samples) | set(client.status))
    per_kind = {}
    for kind in kinds:
        values = client.samples[kind]
        per_kind[kind] = {"n": sum(client.status[kind].values()), "ok": len(values), "p50_ms": pct(values, 50),
                          "p95_ms": pct(values, 95), "max_ms": round(max(values), 1) if values else None,
                          "status": {str(k): v for k, v in sorted(client.status[kind].items())}}
    fivexx = sum(n for s in client.status.values() for code, n in s.items() if code >= 500)
    no_answer = sum(s.get(0, 0) for s in client.status.values())
    passed = fivexx == 0 and no_answer == 0 and not problems and not ledger.failed
    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True,
                            text=True).stdout.strip()
    report = {"run": run, "base": args.base, "seconds": round(elapsed, 1), "readers": args.readers, "writers": 2,
              "machine": facts, "commit": commit, "per_kind": per_kind, "5xx": fivexx, "no_answer": no_answer,
              "writes": {"imports_acknowledged": sum(ledger.writes.values()), "import_items": len(ledger.last_value),
                         "reviews_acknowledged": len(ledger.reviews),
                         "review_decisions": dict(collections.Counter(ledger.reviews.values())),
                         "failed": ledger.failed, "problems": problems, "calibration": calib,
                         "activity_unchecked": unchecked},
              "failures": client.failures[:50], "setup_failures": calib_failures[:10], "passed": passed}
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"load-mixed-{run}.json"
    path.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")

    print(f"{'kind':30} {'n':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}  status")
    for kind, f in per_kind.items():
        print(f"{kind:30} {f['n']:>6} {f['p50_ms'] or '-':>8} {f['p95_ms'] or '-':>8} {f['max_ms'] or '-':>8}  {f['status']}")
    print(f"5xx: {fivexx}, no answer: {no_answer}, failed writes: {len(ledger.failed)}, "
          f"lost/duplicated: {len(problems)}; import writes {sum(ledger.writes.values())}, "
          f"reviews {len(ledger.reviews)}; load {facts['loadavg_before']} -> {facts['loadavg_after']}")
    for p in problems[:20]:
        print("  PROBLEM", p)
    for f in ledger.failed[:10]:
        print("  FAILED", json.dumps(f, ensure_ascii=False)[:300])
    for token in (editor, reviewer):   # this run's tokens: not left behind
        client.action("setup", "api_token_revoke", {"token": token}, admin)
    print(f"{'PASS' if passed else 'FAIL'}: {path}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())

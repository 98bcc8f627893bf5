"""Benchmark: 办件 ingest and a department's monthly statistics (issue 16 §1).

Targets: 500,000 case records ingest in <= 10 minutes; a department's monthly statistics
(facts.department_month, the scoreboard's call) in <= 1 s.

Runs inside CKAN (the CKAN venv, --ini of a test site, never the platform's ckan.ini): it
makes a department `cases-bench` with --items published approval items (示例), generates
--size records with core/cases_demo.py over the 12 months before today, and loads them
through the action qingyang_cases_load in --batch records per call, as the DAG sends them
(the HTTP hop is not timed: the body is JSON the action parses the same way). Then it
reruns the first batch (nothing may change), and times department_month for each month.

  PYTHONPATH=ckanext-qingyang .venv/ckan/bin/python bench/cases_bench.py --ini var/ckan/test.ini
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "ckanext-qingyang"))


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--ini", required=True)
    ap.add_argument("--size", type=int, default=500_000)
    ap.add_argument("--batch", type=int, default=10_000)
    ap.add_argument("--items", type=int, default=40)
    args = ap.parse_args()
    if Path(args.ini).name == "ckan.ini":
        raise SystemExit("refusing the platform's ckan.ini: use a test site's ini")

    from ckan.cli import load_config
    from ckan.config.middleware import make_app

    app = make_app(load_config(args.ini))
    with app._wsgi_app.test_request_context():
        return run(args)


def run(args) -> int:
    import ckan.model as model
    import ckan.plugins.toolkit as tk
    import sqlalchemy as sa

    from ckanext.qingyang.core import cases_demo
    from ckanext.qingyang.publishing.demo import publish_demo_drafts
    from ckanext.qingyang.supervision.efficiency import facts
    from ckanext.qingyang.tests.factories import example_item

    site_user = tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]
    ctx = lambda: {"user": site_user, "ignore_auth": True}  # noqa: E731
    org_name = "cases-bench"
    try:
        org = tk.get_action("organization_show")(ctx(), {"id": org_name})
    except tk.ObjectNotFound:
        org = tk.get_action("organization_create")(ctx(), {
            "name": org_name, "title": "效能监察基准测试部门(示例)", "kind": "department",
            "jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"})
    items = []
    existing = {p.title: p for p in model.Session.query(model.Package).filter(
        model.Package.owner_org == org["id"], model.Package.state == "active")}
    for i in range(args.items):
        title = f"基准测试审批事项{i:03d}(示例)"
        promised, statutory = 3 + i % 8, 10 + i % 11
        pkg = existing.get(title)
        if pkg is None:
            created = tk.get_action("package_create")(ctx(), example_item(
                "approval_item", owner_org=org["id"], title=title,
                promised_days=str(promised), statutory_days=str(statutory)))
            publish_demo_drafts([created["name"]])
        elif pkg.private:
            publish_demo_drafts([pkg.name])
        items.append((org_name, title, promised, statutory))
    model.Session.execute(sa.text("DELETE FROM qingyang_case WHERE organization_id = :o"), {"o": org["id"]})
    model.Session.commit()

    today = dt.date.today()
    records = list(cases_demo.generate(items, args.size, today, seed=16))
    load = tk.get_action("qingyang_cases_load")
    totals: dict[str, int] = {}
    t0 = time.perf_counter()
    for start in range(0, len(records), args.batch):
        body = "\n".join(json.dumps(r, ensure_ascii=False) for r in records[start:start + args.batch])
        result = load(ctx(), {"format": "jsonl", "body": body, "demo": True})
        for k in ("inserted", "updated", "unchanged", "quarantined"):
            totals[k] = totals.get(k, 0) + result[k]
    ingest = time.perf_counter() - t0
    t1 = time.perf_counter()
    rerun = load(ctx(), {"records": records[:args.batch], "demo": True})
    rerun_s = time.perf_counter() - t1

    months = sorted({r["受理时间"][:7] for r in records})
    timings = []
    for m in months:
        t = time.perf_counter()
        got = facts.department_month(org["id"], m)
        timings.append((m, time.perf_counter() - t, got["cases"], got["red_cards"]))
    worst = max(s for _, s, _, _ in timings)
    out = {"records": args.size, "batch": args.batch, "ingest_seconds": round(ingest, 1),
           "records_per_second": round(args.size / ingest), **totals,
           "rerun_batch_seconds": round(rerun_s, 2), "rerun_changed": rerun["inserted"] + rerun["updated"],
           "department_month_worst_seconds": round(worst, 3),
           "department_month": [{"month": m, "seconds": round(s, 3), "cases": c, "red_cards": r}
                                for m, s, c, r in timings],
           "machine": {"cpus": os.cpu_count(), "python": platform.python_version()}}
    print(json.dumps(out, ensure_ascii=False, indent=1))
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"cases-{dt.datetime.now():%Y%m%d-%H%M%S}.json").write_text(json.dumps(out, ensure_ascii=False))
    ok = ingest <= 600 and worst <= 1.0 and out["rerun_changed"] == 0 and not totals.get("quarantined")
    print("targets met" if ok else "TARGET MISSED", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

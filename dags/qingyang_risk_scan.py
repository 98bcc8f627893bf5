"""qingyang_risk_scan: 风险评估 (第二十条), weekly.

Everything published is read through CKAN's API: the items' fields, their uploaded
attachments (CSV, XLSX, TXT, PDF, DOCX) and their DataStore tables, with the rules of
ckanext.qingyang.core.risk (classification markers, ID numbers with a valid check
character, mobiles, bank cards with a valid Luhn digit). Incremental: a source whose
fingerprint (resource id, hash, size, last_modified) is the one recorded is not read again;
DataStore tables (whose rows change without their resource changing) are read every run.
Each item's result goes to qingyang_risk_report, which keeps findings open until a rescan
of their source no longer finds them and tells the department.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, get_current_context, task
from ckanapi import NotFound

from qingyang_pipeline import risk_scan
from qingyang_pipeline.connection import ckan_call, ckan_site


@dag(
    dag_id="qingyang_risk_scan",
    schedule="@weekly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "risk"],
    doc_md=__doc__,
)
def qingyang_risk_scan():
    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def fetch() -> dict:
        call = ckan_call()
        return {"items": risk_scan.list_published(call), "known": call("qingyang_risk_sources", {})}

    @task
    def plan(fetched: dict) -> list[dict]:
        steps = risk_scan.plan(fetched["items"], fetched["known"])
        print(f"{len(steps)} published items; {sum(len(s['sources']) - len(s['unchanged']) for s in steps)} "
              f"sources changed, {sum(len(s['unchanged']) for s in steps)} unchanged")
        return steps

    @task(retries=2, retry_delay=timedelta(seconds=30))
    def scan_and_report(steps: list[dict], ds: str | None = None) -> dict:
        call = ckan_call()
        base_url, token = ckan_site()
        run_id = get_current_context()["run_id"]
        totals = {"items": 0, "read": 0, "unchanged": 0, "new": 0, "closed": 0, "gone": 0, "errors": []}
        for step in steps:
            try:
                result = risk_scan.scan_item(step, call, base_url, token)
                stored = call("qingyang_risk_report", {"run_id": run_id, "today": ds, **{
                    k: result[k] for k in ("package_id", "sources", "unchanged", "findings")}})
            except NotFound:   # withdrawn or deleted since the search: nothing published to scan
                totals["gone"] += 1
                continue
            totals["items"] += 1
            totals["read"] += len(result["sources"]) - len(result["unchanged"])
            totals["unchanged"] += len(result["unchanged"])
            totals["new"] += stored["new"]
            totals["closed"] += stored["closed"]
            totals["errors"].extend(result["errors"])
        for e in totals["errors"]:
            print(f"unreadable source, kept as it was: {e}")
        print(f"risk scan {run_id}: {totals['items']} items, {totals['read']} sources read, "
              f"{totals['unchanged']} unchanged, {totals['new']} new findings, {totals['closed']} closed")
        return totals

    scan_and_report(plan(fetch()))


qingyang_risk_scan()

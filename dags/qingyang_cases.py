"""qingyang_cases: 办件 records from the approval systems into 效能监察 (第二条).

pull_sources  the approval systems under `case_sources:` in catalogs/sources.yaml, paged
              HTTP JSON after each source's since-cursor (kept in var/cases/state.json),
              written into var/inbox/<organization>/cases/ as JSON lines
load_files    every file there (pulled or dropped: .jsonl or .csv) read whole, then sent
              to CKAN's qingyang_cases_load in batches; loaded files go to var/archive/cases/,
              unreadable ones to var/rejected/cases/ with the reason (nothing of them loaded).
              CKAN checks, matches, quarantines and reports unmatched records to the department.
alert_cards   CKAN's qingyang_cases_alert: new 黄牌/红牌 to the department and the platform admin

The DAG imports only ckanext.qingyang.core (nothing here needs it) and talks to CKAN through the API.
"""
from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, task

from qingyang_pipeline.connection import ckan_call

BATCH = int(os.environ.get("QINGYANG_CASES_BATCH") or 5000)


def var_dir() -> Path:
    return Path(os.environ.get("QINGYANG_VAR_DIR") or Path(__file__).resolve().parents[1] / "var")


def sources_file() -> Path:
    return Path(os.environ.get("QINGYANG_SOURCES_FILE") or Path(__file__).resolve().parents[1] / "catalogs" / "sources.yaml")


@dag(
    dag_id="qingyang_cases",
    schedule=timedelta(minutes=30),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "cases"],
    doc_md=__doc__,
)
def qingyang_cases():
    @task(retries=2, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def pull_sources() -> list[str]:
        from qingyang_pipeline import cases

        var, now = var_dir(), datetime.now()
        pulled = []
        for source in cases.load_case_sources(sources_file()):
            path = cases.pull(source, var / "inbox", var / "cases" / "state.json", now)
            if path:
                pulled.append(str(path))
        print(f"pulled {len(pulled)} case files")
        return pulled

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def load_files(pulled: list[str]) -> dict:
        from qingyang_pipeline import cases

        var = var_dir()
        inbox, call = var / "inbox", ckan_call()
        totals = {"files": 0, "rejected": 0, "inserted": 0, "updated": 0, "unchanged": 0, "quarantined": 0}
        for path in cases.inbox_files(inbox):
            try:
                records = cases.read_file(path)
            except (ValueError, UnicodeDecodeError) as e:
                cases.done(path, inbox, var, "rejected", str(e))
                totals["rejected"] += 1
                print(f"rejected {path.name}: {e}")
                continue
            for part in cases.chunks(records, BATCH):
                # the demo generator's files (ckan qingyang cases-demo) load as 示例
                result = call("qingyang_cases_load", {"records": part, "demo": path.name.startswith("demo-")})
                for k in ("inserted", "updated", "unchanged", "quarantined"):
                    totals[k] += result[k]
            cases.done(path, inbox, var, "loaded")
            totals["files"] += 1
        print(totals)
        return totals

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def alert_cards(loaded: dict) -> dict:
        result = ckan_call()("qingyang_cases_alert", {})
        print(result)
        return result

    alert_cards(load_files(pull_sources()))


qingyang_cases()

"""qingyang_timeliness: every list rated daily against its update cycle.

fresh / due / overdue / delinquent, as HDX rates data freshness. The ratings are
stored back in CKAN, where department pages show them and the platform admin's
督查 page lists the late ones (第二十三条、第二十四条).
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from airflow.sdk import Asset, dag, task

from ckanext.qingyang.core.listdef import TYPE_NAMES, load_type
from ckanext.qingyang.core.timeliness import LATE, rate_lists

from qingyang_pipeline.connection import ckan_call

LIST_ASSETS = [Asset(f"qingyang://lists/{t}") for t in TYPE_NAMES]


@dag(
    dag_id="qingyang_timeliness",
    schedule="@daily",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "timeliness"],
    doc_md=__doc__,
)
def qingyang_timeliness():
    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def fetch_facts() -> list[dict]:
        return ckan_call()("qingyang_timeliness_facts", {})

    @task
    def rate(facts: list[dict], ds: str | None = None) -> list[dict]:
        today = date.fromisoformat(ds) if ds else date.today()
        by_list = {(f["organization"], f["type_name"]): (f["items"], f["last_confirmed"]) for f in facts}
        cycles = {t: load_type(t).update_cycle_days for t in TYPE_NAMES}
        return [r.to_dict() for r in rate_lists(by_list, cycles, today)]

    @task(retries=3, retry_delay=timedelta(seconds=30), retry_exponential_backoff=True)
    def store(ratings: list[dict]) -> dict:
        late = [r for r in ratings if r["rating"] in LATE]
        print(f"{len(ratings)} lists rated, {len(late)} overdue or delinquent")
        return ckan_call()("qingyang_timeliness_store", {"ratings": ratings})

    store(rate(fetch_facts()))


qingyang_timeliness()

"""qingyang_assessment: on the 1st of each month, the month just ended is closed.

Its 督查考核 board is stored as a snapshot (it never changes afterwards, 第二十三条) and its
通报 is drafted for the platform admin to review and issue (第二十四条). Both through CKAN's
API; a rerun leaves a stored month and an issued bulletin as they are.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta

from airflow.sdk import dag, task

from ckanext.qingyang.core.assessment import months_back

from qingyang_pipeline.connection import ckan_call

RETRY = {"retries": 3, "retry_delay": timedelta(seconds=30), "retry_exponential_backoff": True}


def month_before(day: date) -> str:
    return months_back(day.strftime("%Y-%m"), 2)[0]


@dag(
    dag_id="qingyang_assessment",
    schedule="0 3 1 * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "supervision"],
    doc_md=__doc__,
)
def qingyang_assessment():
    @task
    def closing_month(ds: str | None = None) -> str:
        return month_before(date.fromisoformat(ds) if ds else date.today())

    @task(**RETRY)
    def snapshot(month: str) -> dict:
        done = ckan_call()("qingyang_assessment_snapshot", {"month": month, "if_missing": True})
        print(f"{month}: {'stored' if done['stored'] else 'already stored'}, {done['organizations']} organizations")
        return done

    @task(**RETRY)
    def draft_bulletin(done: dict) -> dict:
        b = ckan_call()("qingyang_bulletin_draft", {"month": done["month"], "if_not_issued": True})
        summary = b["content"]["summary"]
        print(f"{done['month']}: 通报 {b['state']}, {summary['organizations']} organizations named")
        return {"id": b["id"], "state": b["state"], **summary}

    draft_bulletin(snapshot(closing_month()))


qingyang_assessment()

"""qingyang_subscriptions: every morning, each subscriber gets one mail of what changed in the
departments and list types they follow (nothing changed: no mail).

CKAN assembles and sends the mails (qingyang_subscriptions_send), reading the changes through
its search as each subscriber; this DAG only times it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from qingyang_pipeline.connection import ckan_call


@dag(
    dag_id="qingyang_subscriptions",
    schedule="30 23 * * *",      # 07:30 Beijing time
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "notices"],
    doc_md=__doc__,
)
def qingyang_subscriptions():
    @task(retries=3, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
    def send() -> dict:
        done = ckan_call()("qingyang_subscriptions_send", {})
        print(f"subscriptions: {done['subscribers']} subscribers, {done['mails']} mails, {done['failed']} failed")
        return {"mails": done["mails"], "failed": done["failed"]}

    send()


qingyang_subscriptions()

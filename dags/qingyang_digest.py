"""qingyang_digest: every Monday morning, each department's editors get one mail of their
open duties (late lists, reviews waiting, share requests, messages, red cards, findings).

The digest is assembled and sent by CKAN (qingyang_digest_send); this DAG only times it.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag, task

from qingyang_pipeline.connection import ckan_call


@dag(
    dag_id="qingyang_digest",
    schedule="0 0 * * 1",        # Monday 08:00 Beijing time
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "supervision"],
    doc_md=__doc__,
)
def qingyang_digest():
    @task(retries=3, retry_delay=timedelta(minutes=2), retry_exponential_backoff=True)
    def send() -> dict:
        done = ckan_call()("qingyang_digest_send", {})
        print(f"digest: {done['organizations']} departments with open duties, {done['mails']} mails")
        return {"organizations": done["organizations"], "mails": done["mails"]}

    send()


qingyang_digest()

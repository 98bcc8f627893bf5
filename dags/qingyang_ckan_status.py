"""Placeholder DAG: is the Qingyang CKAN up, on 2.12, with the qingyang plugin?

Calls CKAN's ``status_show`` through ``ckanapi.RemoteCKAN`` at the address of the
pipelines' Airflow connection ``qingyang_ckan`` (qingyang_pipeline/connection.py; e.g. env
``AIRFLOW_CONN_QINGYANG_CKAN=http://127.0.0.1:5000``)
and fails loudly when CKAN is unreachable, is not 2.12.x, or lacks the
``qingyang`` plugin.

I/O stays at the edges (``fetch_status``); the checks are pure functions in
qingyang_pipeline/status.py.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from airflow.sdk import dag, task

from qingyang_pipeline.connection import ckan_site
from qingyang_pipeline.status import summarize

USER_AGENT = "qingyang-airflow/ckan-status"
HTTP_TIMEOUT_S = 30


@dag(
    dag_id="qingyang_ckan_status",
    schedule="@hourly",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["qingyang", "ckan", "monitoring"],
    default_args={"retries": 0},
    doc_md=__doc__,
)
def qingyang_ckan_status():
    @task(execution_timeout=timedelta(minutes=2))
    def fetch_status() -> dict[str, Any]:
        """I/O edge: read the connection, call status_show (anonymously: it is public)."""
        from ckanapi import RemoteCKAN

        url, _token = ckan_site()
        print(f"status_show at {url}")
        with RemoteCKAN(url, user_agent=USER_AGENT, get_only=True) as ckan:
            status = ckan.call_action("status_show", requests_kwargs={"timeout": HTTP_TIMEOUT_S})
        if not isinstance(status, dict):
            raise ValueError(f"status_show at {url} returned {type(status).__name__}, not an object")
        return status

    @task
    def check_status(status: dict[str, Any]) -> dict[str, Any]:
        summary = summarize(status)
        print(f"CKAN OK: {summary}")
        return summary

    check_status(fetch_status())


qingyang_ckan_status()

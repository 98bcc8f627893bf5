"""The pipelines' one way to CKAN: a call(action, data) over ckanapi.

Airflow is imported inside the function, at the I/O edge, so the rest of this
package stays importable (and testable) without it.
"""
from __future__ import annotations

from typing import Any, Callable

CKAN_CONN_ID = "qingyang_ckan"


def ckan_call(conn_id: str = CKAN_CONN_ID, timeout: int = 600) -> Callable[[str, dict], Any]:
    """Bound to the Airflow connection (its password is the CKAN API token)."""
    from airflow.sdk import BaseHook
    from ckanapi import RemoteCKAN

    conn = BaseHook.get_connection(conn_id)
    host = conn.host if "://" in (conn.host or "") else f"http://{conn.host}"
    url = f"{host}:{conn.port}" if conn.port else host
    remote = RemoteCKAN(url, apikey=conn.password or None, user_agent="qingyang-airflow")
    return lambda action, data: remote.call_action(action, data, requests_kwargs={"timeout": timeout})

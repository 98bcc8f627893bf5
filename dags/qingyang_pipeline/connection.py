"""The pipelines' one way to CKAN: the Airflow connection `qingyang_ckan`.

Airflow and ckanapi are imported inside the functions, at the I/O edge, so the rest of
this package stays importable (and testable) without them.
"""
from __future__ import annotations

from typing import Any, Callable

CKAN_CONN_ID = "qingyang_ckan"


def ckan_base_url(conn_type: str | None, host: str | None, port: int | None, schema: str | None) -> str:
    """Base URL of CKAN from an Airflow connection's fields.

    ``http://127.0.0.1:5000`` as a connection URI gives conn_type ``http``,
    host ``127.0.0.1``, port 5000. A host that already has a scheme is used as is.
    """
    if not host:
        raise ValueError(f"connection {CKAN_CONN_ID!r} has no host")
    host = host.rstrip("/")
    if "://" in host:
        base = host
    else:
        scheme = next(
            (s for s in (schema, conn_type) if s and s.lower() in ("http", "https")),
            "http",
        ).lower()
        base = f"{scheme}://{host}"
    return f"{base}:{port}" if port else base


def ckan_site(conn_id: str = CKAN_CONN_ID) -> tuple[str, str | None]:
    """CKAN's base URL and the API token (the connection's password) of the Airflow connection."""
    from airflow.sdk import BaseHook

    conn = BaseHook.get_connection(conn_id)
    return ckan_base_url(conn.conn_type, conn.host, conn.port, conn.schema), conn.password or None


def ckan_call(conn_id: str = CKAN_CONN_ID, timeout: int = 600) -> Callable[[str, dict], Any]:
    """call(action, data) as the pipeline user, over ckanapi."""
    from ckanapi import RemoteCKAN

    url, token = ckan_site(conn_id)
    remote = RemoteCKAN(url, apikey=token, user_agent="qingyang-airflow")
    return lambda action, data: remote.call_action(action, data, requests_kwargs={"timeout": timeout})

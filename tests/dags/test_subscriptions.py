"""The daily subscriptions DAG against the real test CKAN: a subscriber's window moves on once
the run has read their department (the mails themselves: subscriptions/tests, with a real SMTP
server)."""
from __future__ import annotations

import uuid


def test_the_daily_run_reads_each_subscription(airflow_db, dagbag, monkeypatch, ckan, org, test_ckan):
    from airflow.utils.state import DagRunState
    from ckanapi import RemoteCKAN

    name = f"test-reader-{uuid.uuid4().hex[:8]}"
    ckan("user_create", {"name": name, "email": f"{name}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
    reader = RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": name, "name": "t"})["token"])
    before = reader.call_action("qingyang_subscription_create", {"kind": "organization", "target": org})
    assert before["label"] == "测试局"
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    assert dagbag.dags["qingyang_subscriptions"].test().state == DagRunState.SUCCESS

    [after] = reader.call_action("qingyang_subscription_list", {})
    assert after["id"] == before["id"] and after["last_sent"] > before["last_sent"]

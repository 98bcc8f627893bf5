"""The weekly digest DAG against the real test CKAN: a department with a late list hears of it
in the app (the mail itself: supervision/digest/tests, with a real SMTP server)."""
from __future__ import annotations

import uuid


def test_the_weekly_run_reaches_a_department_with_a_late_list(airflow_db, dagbag, monkeypatch, ckan, org, test_ckan):
    from airflow.utils.state import DagRunState
    from ckanapi import RemoteCKAN

    name = f"test-editor-{uuid.uuid4().hex[:8]}"
    ckan("user_create", {"name": name, "email": f"{name}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
    ckan("organization_member_create", {"id": org, "username": name, "role": "editor"})
    editor = RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": name, "name": "t"})["token"])
    ckan("qingyang_timeliness_store", {"ratings": [{
        "organization": org, "type_name": "power_item", "items": 3, "last_confirmed": "2024-01-01",
        "cycle_days": 180, "rating": "delinquent", "rated_on": "2026-01-01"}]})
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    assert dagbag.dags["qingyang_digest"].test().state == DagRunState.SUCCESS

    notes = editor.call_action("qingyang_notice_list", {})
    assert [n["subject"] for n in notes if n["subject"].startswith("待办周报")] == ["待办周报:测试局 有 1 项待办"]

"""The daily timeliness DAG against the real test CKAN (the rating rules: core/tests/test_timeliness.py)."""
from __future__ import annotations


def publish_through_review(ckan, test_ckan, org: str, names: list[str]) -> None:
    """Put the department under a government with a 政务服务中心, then submit and approve
    as two real users of the test CKAN, through its API."""
    import uuid

    from ckanapi import RemoteCKAN

    tag = uuid.uuid4().hex[:8]
    place = {"jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"}
    ckan("organization_create", dict(place, name=f"test-gov-{tag}", title="测试市政府", kind="government"))
    parent = [{"name": f"test-gov-{tag}", "capacity": "parent"}]
    ckan("organization_create", dict(place, name=f"test-center-{tag}", title="测试政务服务中心", kind="office",
                                     roles="service_center", groups=parent))
    ckan("organization_patch", {"id": org, "groups": parent})
    tokens = {}
    for who, where in (("editor", org), ("reviewer", f"test-center-{tag}")):
        name = f"test-{who}-{tag}"
        ckan("user_create", {"name": name, "email": f"{name}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
        ckan("organization_member_create", {"id": where, "username": name, "role": "editor"})
        tokens[who] = RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": name, "name": "t"})["token"])
    tokens["editor"].call_action("qingyang_item_submit", {"ids": names, "declaration": True})
    for name in names:
        tokens["reviewer"].call_action("qingyang_item_review", {"id": name, "decision": "approve"})


def test_timeliness_dag_stores_ratings_that_the_platform_admin_sees(airflow_db, dagbag, monkeypatch, ckan, org,
                                                                    test_ckan):
    from airflow.utils.state import DagRunState

    from ckanext.qingyang.core import listdef, spreadsheets

    row = spreadsheets.example_row(listdef.load_type("service_item"))
    row["最后确认日期"] = "2024-01-01"   # far beyond the 180-day cycle
    report = ckan("qingyang_list_import", {"organization": org, "type": "service_item", "rows": [row]})
    publish_through_review(ckan, test_ckan, org, report["names"])    # only published lists are rated
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    dag_run = dagbag.dags["qingyang_timeliness"].test()

    assert dag_run.state == DagRunState.SUCCESS
    late = {(r["organization"], r["type_name"]): r["rating"] for r in ckan("qingyang_timeliness_late", {})}
    assert late[(org, "service_item")] == "delinquent"

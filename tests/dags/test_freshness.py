"""Timeliness ratings: pure rules, then the daily DAG against the real test CKAN."""
from __future__ import annotations

import datetime as dt

import pytest

from qingyang_pipeline import freshness

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize("age, cycle, expected", [
    (0, 30, "fresh"), (29, 30, "fresh"), (30, 30, "due"), (36, 30, "due"), (37, 30, "overdue"),
    (43, 30, "overdue"), (44, 30, "delinquent"), (364, 365, "fresh"), (365 + 59, 365, "due"),
    (365 + 60, 365, "overdue"), (365 + 120, 365, "delinquent"),
])
def test_ratings_follow_the_cycle_and_its_grace(age, cycle, expected):
    assert freshness.rate(TODAY - dt.timedelta(days=age), cycle, TODAY) == expected


def test_a_list_never_confirmed_is_delinquent():
    assert freshness.rate(None, 30, TODAY) == "delinquent"


def test_rate_lists_uses_each_types_cycle():
    ratings = freshness.rate_lists({("a", "poverty_project"): (3, "2026-09-01"), ("a", "power_item"): (5, "2026-09-01")},
                                   {"poverty_project": 30, "power_item": 365}, TODAY)
    assert {r.type_name: r.rating for r in ratings} == {"poverty_project": "delinquent", "power_item": "fresh"}


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

"""The boards' ladder DAG: its shape, its decisions (pure), and a run against the real test
CKAN (the ladder's rules: core/tests/test_boards.py; the steps' effects: boards/tests)."""
from __future__ import annotations

import datetime as dt


def test_the_dag_fetches_decides_and_takes(dagbag):
    dag = dagbag.dags["qingyang_boards"]
    assert dag.catchup is False and {"qingyang", "boards"} <= set(dag.tags)
    assert dag.get_task("take_steps").upstream_task_ids == {"decide_steps"}
    assert dag.get_task("decide_steps").upstream_task_ids == {"fetch_facts"}


def test_decide_counts_working_days_of_qingyang():
    import qingyang_boards

    facts = [
        {"id": "a", "status": "dispatched", "deadline": "2026-10-12", "round": 1, "done": []},
        {"id": "b", "status": "dispatched", "deadline": "2026-09-30", "round": 1, "done": ["overdue:1"]},
        {"id": "c", "status": "answered", "deadline": "2026-09-30", "round": 1, "replied_on": "2026-09-25",
         "done": []},
        {"id": "d", "status": "closed", "deadline": "2026-09-30", "round": 1, "done": []},
    ]
    # Saturday 2026-10-10 is a make-up working day, the one before Monday's deadline
    steps = qingyang_boards.decide(facts, dt.date(2026, 10, 10))
    assert steps == [{"id": "a", "step": "remind", "round": 1}, {"id": "b", "step": "escalate", "round": 1},
                     {"id": "c", "step": "close", "round": 1}]
    # the day in Qingyang: 23:30 UTC is already tomorrow morning
    assert qingyang_boards.china_day(dt.datetime(2026, 12, 2, 23, 30, tzinfo=dt.timezone.utc)) == dt.date(2026, 12, 3)


def test_the_dag_reminds_and_closes_on_the_test_ckan(airflow_db, dagbag, monkeypatch, ckan, org, test_ckan):
    import uuid

    from airflow.utils.state import DagRunState
    from ckanapi import RemoteCKAN

    tag = uuid.uuid4().hex[:8]
    place = {"jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"}
    ckan("organization_create", dict(place, name=f"board-gov-{tag}", title="测试市政府", kind="government"))
    parent = [{"name": f"board-gov-{tag}", "capacity": "parent"}]
    ckan("organization_create", dict(place, name=f"board-centre-{tag}", title="测试政务服务中心", kind="office",
                                     roles="service_center", groups=parent))
    ckan("organization_patch", {"id": org, "groups": parent})
    name = f"board-centre-user-{tag}"
    ckan("user_create", {"name": name, "email": f"{name}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
    ckan("organization_member_create", {"id": f"board-centre-{tag}", "username": name, "role": "editor"})
    centre = RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": name, "name": "t"})["token"])
    created = ckan("qingyang_message_create", {"kind": "咨询", "organization": org, "title": "DAG 测试留言",
                                               "content": "内容", "name": "王五", "phone": f"139{tag[:8].translate(str.maketrans('abcdef', '123456'))}"})
    accepted = centre.call_action("qingyang_message_accept", {"id": created["id"]})
    deadline = dt.date.fromisoformat(accepted["deadline"])
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    # a run in Qingyang's morning two days after the deadline: 催办 and 提请督办 at once
    run_at = dt.datetime.combine(deadline + dt.timedelta(days=4), dt.time(7, 30),
                                 tzinfo=dt.timezone(dt.timedelta(hours=8)))
    dag_run = dagbag.dags["qingyang_boards"].test(logical_date=run_at)
    assert dag_run.state == DagRunState.SUCCESS
    steps = [t["step"] for t in centre.call_action("qingyang_message_show", {"id": created["id"]})["timeline"]]
    assert "overdue" in steps and steps.count("overdue") == 1

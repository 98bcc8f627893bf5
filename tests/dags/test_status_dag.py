"""Run the CKAN status DAG for real with dag.test().

Needs a real CKAN 2.12 web server with the qingyang plugin, given by
QINGYANG_TEST_CKAN_URL (the test harness starts one and sets it, e.g.
http://127.0.0.1:5050). Without it the test FAILS: it never skips.
"""

from __future__ import annotations

import os
import socket

import pytest

DAG_ID = "qingyang_ckan_status"


@pytest.fixture
def status_dag(dagbag):
    return dagbag.dags[DAG_ID]


def _states(dag_run) -> dict[str, str]:
    from airflow.utils.session import create_session

    with create_session() as session:
        return {ti.task_id: ti.state for ti in dag_run.get_task_instances(session=session)}


def _closed_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens here once the socket closes


def test_status_dag_succeeds_against_real_ckan(airflow_db, status_dag, ckan_connection):
    from airflow.utils.state import DagRunState, TaskInstanceState

    url = os.environ.get("QINGYANG_TEST_CKAN_URL", "").strip()
    if not url:
        pytest.fail(
            "QINGYANG_TEST_CKAN_URL is not set: this test needs a running CKAN 2.12 with the "
            "qingyang plugin (e.g. QINGYANG_TEST_CKAN_URL=http://127.0.0.1:5050); "
            "`make test` starts one and sets it."
        )
    ckan_connection(url)

    dag_run = status_dag.test()

    states = _states(dag_run)
    assert states == {
        "fetch_status": TaskInstanceState.SUCCESS,
        "check_status": TaskInstanceState.SUCCESS,
    }, f"task states against {url}: {states} (see the task logs above)"
    assert dag_run.state == DagRunState.SUCCESS


def test_status_dag_fails_when_ckan_unreachable(airflow_db, status_dag, ckan_connection):
    from airflow.utils.state import DagRunState, TaskInstanceState

    ckan_connection(f"http://127.0.0.1:{_closed_port()}")

    dag_run = status_dag.test()

    assert dag_run.state == DagRunState.FAILED
    states = _states(dag_run)
    assert states["fetch_status"] == TaskInstanceState.FAILED, states
    assert states["check_status"] == TaskInstanceState.UPSTREAM_FAILED, states

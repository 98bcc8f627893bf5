"""The monthly closing DAG against the real test CKAN: last month's 督查考核 board becomes a
snapshot and its 通报 is drafted; a rerun changes neither (the rules: core/tests/test_assessment.py,
the actions: supervision/assessment/tests and supervision/bulletins/tests)."""
from __future__ import annotations

import configparser
import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def open_month():
    """Last month not yet closed on the test site: its snapshot and bulletin rows (which refuse
    deletes) are removed as their owner, through psql (the test database only)."""
    from qingyang_assessment import month_before

    ini = configparser.ConfigParser(interpolation=None, strict=False)
    ini.read(os.environ.get("QINGYANG_TEST_CKAN_INI") or ROOT / "var/ckan/test.ini")
    url = ini["app:main"]["sqlalchemy.url"]
    month = month_before(dt.date.today())
    sql = "".join(f"ALTER TABLE {t} DISABLE TRIGGER USER; DELETE FROM {t} WHERE month = '{month}'; "
                  f"ALTER TABLE {t} ENABLE TRIGGER USER; "
                  for t in ("qingyang_assessment_score", "qingyang_assessment_month", "qingyang_bulletin"))
    subprocess.run(["psql", url, "-v", "ON_ERROR_STOP=1", "-qc", sql], check=True, capture_output=True)
    return month


def test_the_month_is_closed_once_and_its_bulletin_drafted(airflow_db, dagbag, monkeypatch, ckan, org, test_ckan,
                                                          open_month):
    from airflow.utils.state import DagRunState

    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)
    last = open_month
    ckan("organization_patch", {"id": org, "leader_in_charge": "", "content_officer": ""})

    dag_run = dagbag.dags["qingyang_assessment"].test()

    assert dag_run.state == DagRunState.SUCCESS
    board = ckan("qingyang_assessment_board", {"month": last})
    assert not board["live"] and board["snapshot"]["taken_at"]
    mine = next(r for r in board["departments"] if r["organization"] == org)
    assert next(i for i in mine["indicators"] if i["key"] == "accountability")["score"] == 0
    bulletins = [b for b in ckan("qingyang_bulletin_list", {}) if b["month"] == last]
    assert [b["state"] for b in bulletins] == ["draft"]
    draft = ckan("qingyang_bulletin_show", {"id": bulletins[0]["id"]})
    assert org in {o["organization"] for o in draft["content"]["organizations"]}   # it publishes none of its lists

    # a department named later is not in the stored month; the rerun keeps the snapshot as it was
    ckan("organization_patch", {"id": org, "leader_in_charge": "王建国", "responsible_office": "办公室",
                                "content_officer": "李秀英"})
    assert dagbag.dags["qingyang_assessment"].test().state == DagRunState.SUCCESS
    again = ckan("qingyang_assessment_board", {"month": last})
    assert again["snapshot"] == board["snapshot"]
    mine = next(r for r in again["departments"] if r["organization"] == org)
    assert next(i for i in mine["indicators"] if i["key"] == "accountability")["score"] == 0
    assert len([b for b in ckan("qingyang_bulletin_list", {}) if b["month"] == last]) == 1


def test_month_before():
    from qingyang_assessment import month_before

    assert month_before(dt.date(2027, 1, 1)) == "2026-12" and month_before(dt.date(2026, 12, 31)) == "2026-11"

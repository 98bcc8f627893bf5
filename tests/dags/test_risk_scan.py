"""The weekly risk scan against the real test CKAN: published items with planted ID numbers,
mobiles, bank cards and markers in a field, CSV, XLSX, PDF, DOCX, TXT and a DataStore table;
a second run reads nothing unchanged; a fixed attachment's finding closes."""
from __future__ import annotations

import importlib.util
import io
import time
from pathlib import Path

# the core's test files (not in the core-only distribution the Airflow venv installs)
_spec = importlib.util.spec_from_file_location(
    "risk_files", Path(__file__).resolve().parents[2] / "ckanext-qingyang/ckanext/qingyang/core/tests/risk_files.py")
rf = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(rf)

from test_timeliness import publish_through_review

TABLE = [["村", "户主姓名", "身份证号码", "备注"],
         ["西沟村", "张*明", rf.VALID_ID, f"代领人 {rf.VALID_ID_X}"],     # the masked column is exempt
         ["东沟村", "李*", "6210**********1235", f"近似 {rf.BAD_ID} {rf.BAD_CARD}"]]   # near-misses


def _attach(ckan_remote, package_id: str, name: str, data: bytes, fmt: str) -> dict:
    return ckan_remote.call_action("resource_create", {"package_id": package_id, "name": name, "format": fmt},
                                   files={"upload": (name, io.BytesIO(data))})


def test_weekly_scan_finds_reads_once_and_closes(airflow_db, dagbag, monkeypatch, ckan, org, test_ckan):
    from airflow.utils.state import DagRunState
    from ckanapi import RemoteCKAN

    from ckanext.qingyang.core import listdef, spreadsheets

    row = spreadsheets.example_row(listdef.load_type("service_item"))
    row["办理地点"] = f"市政务大厅 3 号窗口,咨询 {rf.MOBILE}"
    names = ckan("qingyang_list_import", {"organization": org, "type": "service_item", "rows": [row]})["names"]
    pkg = ckan("package_show", {"id": names[0]})
    remote = RemoteCKAN(test_ckan.url, apikey=test_ckan.token)
    for fmt in ("csv", "xlsx", "docx"):
        _attach(remote, pkg["id"], f"受益户名单.{fmt}", rf.BUILDERS[fmt](TABLE), fmt)
    _attach(remote, pkg["id"], "公示.pdf", rf.pdf_file([["公示", f"银行卡 {rf.VALID_CARD}"]]), "pdf")
    _attach(remote, pkg["id"], "说明.txt", rf.txt_file([["联系", rf.MOBILE]]), "txt")
    table = ckan("resource_create", {"package_id": pkg["id"], "name": "补充数据", "url": "", "url_type": "datastore"})
    publish_through_review(ckan, test_ckan, org, names)
    # markers cannot pass the gate at publish; they can still come later, in a table's rows
    ckan("datastore_create", {"resource_id": table["id"], "fields": [{"id": "说明", "type": "text"}],
                              "records": [{"说明": "无"}, {"说明": "本表属机密资料"}], "force": True})
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)
    dag = dagbag.dags["qingyang_risk_scan"]

    started = time.monotonic()
    assert dag.test().state == DagRunState.SUCCESS
    first_s = time.monotonic() - started
    found = ckan("qingyang_risk_findings", {"organization": org})
    got = sorted((f["where"], f["rule"]) for f in found)
    assert got == sorted([
        ("字段“办理地点”", "mobile"),
        ("附件《受益户名单.csv》第 2 行“备注”列", "id_number"),
        ("附件《受益户名单.xlsx》工作表“名单”第 2 行“备注”列", "id_number"),
        ("附件《受益户名单.docx》表格 1 第 2 行“备注”列", "id_number"),
        ("附件《公示.pdf》第 1 页", "bank_card"),
        ("附件《说明.txt》第 1 行", "mobile"),
        ("数据表《补充数据》第 2 行“说明”列", "marker"),
    ]), got
    assert all(rf.VALID_ID not in f["masked"] and rf.VALID_CARD not in f["masked"] for f in found)

    started = time.monotonic()
    assert dag.test().state == DagRunState.SUCCESS
    second_s = time.monotonic() - started
    latest = ckan("qingyang_risk_runs", {"limit": 1})[0]
    assert latest["sources_read"] == 0 and latest["tables_read"] >= 1 and latest["sources_unchanged"] >= 6
    again = ckan("qingyang_risk_findings", {"organization": org})
    assert {f["id"] for f in again} == {f["id"] for f in found}

    # the department removes the row with the marker: the next run no longer finds it
    ckan("datastore_records_delete", {"resource_id": table["id"], "filters": {"说明": "本表属机密资料"}, "force": True})
    assert dag.test().state == DagRunState.SUCCESS
    closed = ckan("qingyang_risk_findings", {"organization": org, "status": "closed"})
    assert [f["where"] for f in closed] == ["数据表《补充数据》第 2 行“说明”列"]
    assert len(ckan("qingyang_risk_findings", {"organization": org})) == 6
    print(f"risk scan of the test site: first run {first_s:.1f}s, second run {second_s:.1f}s")

"""The collection pipeline end to end, against the real test CKAN (make test starts it).

Files of many kinds are dropped into a temporary inbox; the pipeline archives,
parses, checks and loads them through CKAN's API. The catalog must then hold
exactly the valid items, and every refusal must be explained.
"""
from __future__ import annotations

import csv
import datetime as dt
import io
import time
import uuid

import pytest
from openpyxl import Workbook, load_workbook

from ckanext.qingyang.core import listdef, spreadsheets

TODAY = dt.date(2026, 11, 1)


@pytest.fixture()
def settings(tmp_path):
    from qingyang_pipeline import collect

    return collect.Settings(tmp_path / "var", today=TODAY)


def rows(type_name: str, n: int, **overrides) -> list[dict]:
    lt = listdef.load_type(type_name)
    out = []
    for i in range(n):
        row = spreadsheets.example_row(lt)
        row.update({"事项名称": f"便民事项{i + 1:04d}" if n > 999 else f"便民事项{i + 1:03d}",
                    "最后确认日期": "2026-10-01"})
        row.update(overrides)
        out.append(row)
    return out


def drop(settings, org: str, type_name: str, name: str, data: bytes):
    from qingyang_pipeline.inbox import InboxFile

    folder = settings.var_dir / "inbox" / org / type_name
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(data)
    st = path.stat()
    return InboxFile(org, type_name, path, st.st_size, st.st_mtime)


def xlsx(type_name: str, data_rows: list[dict], title_row: str | None = None) -> bytes:
    lt = listdef.load_type(type_name)
    wb = Workbook()
    ws = wb.active
    if title_row:
        ws.append([title_row])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(lt.headers))
    ws.append(lt.headers)
    for r in data_rows:
        ws.append([r.get(h, "") for h in lt.headers])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def gbk_csv(type_name: str, data_rows: list[dict]) -> bytes:
    lt = listdef.load_type(type_name)
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=lt.headers)
    w.writeheader()
    w.writerows(data_rows)
    return buf.getvalue().encode("gbk")


def catalog_titles(ckan, org: str, type_name: str = "service_item") -> dict[str, str]:
    exported = ckan("qingyang_list_export", {"organization": org, "type": type_name, "drafts": True})
    return {r["事项名称"]: r for r in exported["rows"]}


def process(ckan, settings, file):
    from qingyang_pipeline import collect

    return collect.process(file, ckan, settings, run_id=f"test-{uuid.uuid4().hex[:6]}")


def test_a_good_file_loads_and_a_rerun_changes_nothing(ckan, org, settings):
    data = xlsx("service_item", rows("service_item", 5), title_row="2026年便民服务事项目录")
    report = process(ckan, settings, drop(settings, org, "service_item", "目录.xlsx", data))
    assert report.outcome == "accepted", report.reason_zh
    assert (report.created, report.quarantined_rows) == (5, 0)
    assert len(catalog_titles(ckan, org)) == 5
    recorded = ckan("qingyang_submission_list", {"organization": org})
    assert [(r["file_name"], r["outcome"], r["created"]) for r in recorded] == [("目录.xlsx", "accepted", 5)]
    again = process(ckan, settings, drop(settings, org, "service_item", "目录.xlsx", data))
    assert (again.created, again.updated, again.unchanged, again.cancelled) == (0, 0, 5, 0)


def test_bad_rows_are_quarantined_and_explained_the_rest_loads(ckan, org, settings):
    data_rows = rows("service_item", 15)
    data_rows[2]["办结时限"] = "三天"                     # row 4 in the file
    data_rows[6]["事项名称"] = data_rows[5]["事项名称"]     # rows 7 and 8: the same item twice
    report = process(ckan, settings, drop(settings, org, "service_item", "list.csv",
                                          gbk_csv("service_item", data_rows)))
    assert report.outcome == "accepted" and report.encoding == "gbk"
    assert report.created == 12 and report.quarantined_rows == 3
    blocking = {(p.row, p.column) for p in report.problems if p.blocking}
    assert (4, "办结时限") in blocking and {7, 8} <= {r for r, _ in blocking}
    assert len(catalog_titles(ckan, org)) == 12
    errors_xlsx = next((settings.reports_root).rglob("*-errors.xlsx"))
    sheet = load_workbook(errors_xlsx).active
    rows_ = [[c.value for c in r] for r in sheet.iter_rows(min_row=4)]
    assert [4, "办结时限", "三天"] == rows_[0][:3] and "整数" in rows_[0][3]


def test_too_many_bad_rows_reject_the_whole_file_and_apply_nothing(ckan, org, settings):
    data_rows = rows("service_item", 10)
    for r in data_rows[:3]:
        r["办结时限"] = "-1"
    report = process(ckan, settings, drop(settings, org, "service_item", "list.xlsx",
                                          xlsx("service_item", data_rows)))
    assert report.outcome == "rejected" and "3/10" in report.reason_zh
    assert catalog_titles(ckan, org) == {}


def test_structural_errors_reject_the_file_and_the_archive_keeps_it(ckan, org, settings):
    from qingyang_pipeline import archive

    lt = listdef.load_type("service_item")
    broken = "\ufeff" + ",".join(lt.required_headers[:-1] + ["备注"]) + "\n" + "a,b,c,d,1,e,x\n"
    report = process(ckan, settings, drop(settings, org, "service_item", "bad.csv", broken.encode()))
    assert report.outcome == "rejected" and "备注" in report.reason_zh and "最后确认日期" in report.reason_zh
    empty = process(ckan, settings, drop(settings, org, "service_item", "empty.csv", b""))
    assert empty.outcome == "rejected"
    names = {r.original_name for r in archive.read_manifest(settings.archive_root)}
    assert {"bad.csv", "empty.csv"} <= names
    assert catalog_titles(ckan, org) == {}


def test_a_full_list_withdraws_what_it_no_longer_names(ckan, org, settings):
    process(ckan, settings, drop(settings, org, "service_item", "v1.xlsx",
                                 xlsx("service_item", rows("service_item", 4))))
    report = process(ckan, settings, drop(settings, org, "service_item", "v2.xlsx",
                                          xlsx("service_item", rows("service_item", 3))))
    assert (report.unchanged, report.cancelled) == (3, 1)
    withdrawn = ckan("package_search", {"q": "便民事项004", "fq": f"organization:{org}", "include_private": True})["results"][0]
    assert withdrawn["list_status"] == "withdrawn" and "v2.xlsx" in withdrawn["list_status_reason"]


def test_a_large_file_loads_completely_in_parallel_chunks_and_a_rerun_changes_nothing(ckan, org, settings):
    """2,000 rows: four import requests, two at a time, plus a few bad rows among them."""
    data_rows = rows("service_item", 2000)
    for i in (10, 999, 1500):
        data_rows[i]["办结时限"] = "三天"
    data = xlsx("service_item", data_rows)
    report = process(ckan, settings, drop(settings, org, "service_item", "大清单.xlsx", data))
    assert report.outcome == "accepted", report.reason_zh
    assert (report.rows, report.created, report.quarantined_rows) == (2000, 1997, 3)
    assert sorted(p.row for p in report.problems if p.blocking) == [12, 1001, 1502]
    exported = ckan("qingyang_list_export", {"organization": org, "type": "service_item", "drafts": True})
    assert exported["count"] == 1997
    assert ckan("organization_show", {"id": org})["package_count"] == 1997
    again = process(ckan, settings, drop(settings, org, "service_item", "大清单.xlsx", data))
    assert (again.created, again.updated, again.cancelled, again.unchanged) == (0, 0, 0, 1997)


def test_collect_dag_runs_the_inbox_to_the_catalog(ckan, org, test_ckan, tmp_path, monkeypatch, airflow_db, dagbag):
    from airflow.utils.state import DagRunState

    var = tmp_path / "platform-var"
    monkeypatch.setenv("QINGYANG_VAR_DIR", str(var))
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)
    folder = var / "inbox" / org / "service_item"
    folder.mkdir(parents=True)
    path = folder / "清单.xlsx"
    path.write_bytes(xlsx("service_item", rows("service_item", 3, **{"最后确认日期": dt.date.today().isoformat()})))
    from qingyang_pipeline.inbox import SETTLE_SECONDS

    # the inbox takes a file once nothing has written to it (its ctime too) for a while
    time.sleep(SETTLE_SECONDS + 0.5)

    dag_run = dagbag.dags["qingyang_collect"].test()

    assert dag_run.state == DagRunState.SUCCESS
    assert len(catalog_titles(ckan, org)) == 3
    assert not path.exists()  # collected files leave the inbox; the archive keeps them
    summary = next(var.glob("reports/*/summary.txt")).read_text(encoding="utf-8")
    assert f"{org}/service_item/清单.xlsx: accepted, 3 rows" in summary

    # a second run finds nothing new and changes nothing
    before = catalog_titles(ckan, org)
    again = dagbag.dags["qingyang_collect"].test()
    assert again.state == DagRunState.SUCCESS
    assert catalog_titles(ckan, org) == before


@pytest.fixture()
def department_system(tmp_path):
    """A department's own system: a small local HTTP server (a test peer, not our code)."""
    import http.server
    import threading

    served = tmp_path / "served"
    served.mkdir()
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(served), **kw)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield served, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_registered_department_systems_are_pulled_when_due(ckan, org, test_ckan, tmp_path, monkeypatch, airflow_db,
                                                           dagbag, department_system):
    from airflow.utils.state import DagRunState

    served, base = department_system
    (served / "services.csv").write_bytes(gbk_csv("service_item", rows("service_item", 2, **{
        "最后确认日期": dt.date.today().isoformat()})))
    sources_file = tmp_path / "sources.yaml"
    sources_file.write_text(
        "sources:\n"
        f"  - {{id: dept-system, organization: {org}, type: service_item, url: '{base}/services.csv',"
        " format: csv, every_hours: 24}\n", encoding="utf-8")
    var = tmp_path / "platform-var"
    monkeypatch.setenv("QINGYANG_VAR_DIR", str(var))
    monkeypatch.setenv("QINGYANG_SOURCES_FILE", str(sources_file))
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    first = dagbag.dags["qingyang_collect"].test()
    assert first.state == DagRunState.SUCCESS
    assert set(catalog_titles(ckan, org)) == {"便民事项001", "便民事项002"}
    # not due again for 24 hours: the next run pulls nothing
    second = dagbag.dags["qingyang_collect"].test()
    assert second.state == DagRunState.SUCCESS
    assert len(list((var / "archive").rglob("*.csv"))) == 1

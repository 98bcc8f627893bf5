"""The 办件 DAG against the test CKAN: an approval system (a local HTTP test peer serving
paged JSON after a since-cursor) and files dropped in the inbox, loaded, matched to the
department's published item, the cursor kept between runs; an unreadable file set aside whole."""
from __future__ import annotations

import http.server
import json
import threading
import urllib.parse
import uuid
from pathlib import Path

import pytest
import yaml

ROUTES = yaml.safe_load((Path(__file__).resolve().parents[2] / "catalogs" / "review_routes.yaml").read_text("utf-8"))
PLACE = {"jurisdiction_level": "city", "jurisdiction": "庆阳市", "region_code": "621000"}
TITLE = "取水许可审批"


class ApprovalSystem:
    """The approval system's case API: records with an 更新时间 stamp, two per page after `since`."""

    def __init__(self):
        self.records: list[dict] = []
        self.asked: list[str] = []
        peer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
                since, page = q.get("since", [""])[0], int(q.get("page", ["1"])[0])
                peer.asked.append(since)
                newer = sorted((r for r in peer.records if r["更新时间"] > since), key=lambda r: r["更新时间"])
                part = newer[(page - 1) * 2:page * 2]
                body = {"records": part, "next_page": page + 1 if page * 2 < len(newer) else None,
                        "cursor": newer[-1]["更新时间"] if newer else since}
                data = json.dumps(body, ensure_ascii=False).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api/cases"


@pytest.fixture()
def approval_system():
    peer = ApprovalSystem()
    yield peer
    peer.server.shutdown()


@pytest.fixture(scope="module")
def dept(ckan, test_ckan):
    """A department with one approval item published through review (promised 5, statutory 10)."""
    from ckanapi import RemoteCKAN

    tag = uuid.uuid4().hex[:8]
    gov, name = f"cs-gov-{tag}", f"cs-dept-{tag}"
    ckan("organization_create", dict(PLACE, name=gov, title="办件测试市政府", kind="government"))

    def user(uname):
        ckan("user_create", {"name": uname, "email": f"{uname}@example.cn", "password": f"Pw-{uuid.uuid4().hex}"})
        return RemoteCKAN(test_ckan.url, apikey=ckan("api_token_create", {"user": uname, "name": "t"})["token"])

    ckan("organization_create", dict(PLACE, name=name, title="办件测试水务局", kind="department",
                                     groups=[{"name": gov, "capacity": "parent"}]))
    editor = user(f"cs-editor-{tag}")
    ckan("organization_member_create", {"id": name, "username": f"cs-editor-{tag}", "role": "editor"})
    from ckanext.qingyang.core import listdef, spreadsheets

    lt = listdef.load_type("approval_item")
    row = spreadsheets.example_row(lt)
    item, errors = listdef.row_to_item(lt, row)
    assert not errors
    item = {k: v for k, v in item.items() if v is not None}
    item.update(type="approval_item", owner_org=name, title=TITLE, promised_days="5", statutory_days="10")
    reviewers = []
    for role in ROUTES["routes"]["approval_item"]["offices"]:
        office = f"cs-{role.replace('_', '-')}-{tag}"
        ckan("organization_create", dict(PLACE, name=office, title=f"测试{role}", kind="office", roles=role,
                                         groups=[{"name": gov, "capacity": "parent"}]))
        reviewers.append(user(f"cs-rv-{role.replace('_', '-')}-{tag}"))
        ckan("organization_member_create", {"id": office, "username": f"cs-rv-{role.replace('_', '-')}-{tag}",
                                            "role": "editor"})
    created = editor.call_action("package_create", item)
    editor.call_action("qingyang_item_submit", {"ids": [created["name"]], "declaration": True})
    for reviewer in reviewers:
        reviewer.call_action("qingyang_item_review", {"id": created["name"], "decision": "approve"})
    return name


def rec(no: str, dept: str, stamp: str, **over) -> dict:
    base = {"办件编号": no, "部门": dept, "事项名称": TITLE, "申请人类型": "法人", "受理时间": "2026-06-01 09:00",
            "审查": "2026-06-02 10:00", "办结时间": "2026-06-04 16:00", "状态": "办结", "是否网办": "是",
            "更新时间": stamp}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}


def test_cases_from_the_approval_system_and_the_inbox(airflow_db, dagbag, monkeypatch, ckan, dept, test_ckan,
                                                      tmp_path, approval_system):
    from airflow.utils.state import DagRunState

    tag = uuid.uuid4().hex[:6]
    approval_system.records = [
        rec(f"{tag}-1", dept, "2026-06-04T16:00"),
        rec(f"{tag}-2", dept, "2026-06-04T17:00", 办结时间="2026-06-19 16:00"),        # 13 working days: 超法定
        rec(f"{tag}-3", dept, "2026-06-05T09:00", 状态="在办", 办结时间=None),
        rec(f"{tag}-4", dept, "2026-06-05T10:00", 事项名称="没有发布的事项")]         # unmatched: quarantined
    sources = tmp_path / "sources.yaml"
    sources.write_text(f"case_sources:\n  - {{id: water-approvals, organization: {dept}, url: '{approval_system.url}',"
                       " every_minutes: 0}\n", encoding="utf-8")
    var = tmp_path / "var"
    inbox = var / "inbox" / dept / "cases"
    inbox.mkdir(parents=True)
    (inbox / "window.csv").write_text(
        "办件编号,部门,事项名称,受理时间,办结时间,状态,是否网办\n"
        f"{tag}-5,{dept},{TITLE},2026-06-08 09:00,2026-06-09 10:00,办结,否\n", encoding="utf-8")
    (inbox / "broken.jsonl").write_text(json.dumps(rec(f"{tag}-6", dept, "x"), ensure_ascii=False) + "\n{oops\n",
                                        encoding="utf-8")
    monkeypatch.setenv("QINGYANG_VAR_DIR", str(var))
    monkeypatch.setenv("QINGYANG_SOURCES_FILE", str(sources))
    monkeypatch.setenv("AIRFLOW_CONN_QINGYANG_CKAN", test_ckan.connection_uri)

    run = dagbag.dags["qingyang_cases"].test()
    assert run.state == DagRunState.SUCCESS
    june = ckan("qingyang_efficiency_month", {"organization": dept, "month": "2026-06"})
    assert (june["cases"], june["on_time"], june["over_statutory"]) == (3, 2, 1)
    assert {e["case_no"] for e in june["evidence"]} >= {f"{tag}-2", f"{tag}-3"}     # 超法定 and the open red one
    assert not list(inbox.iterdir())
    assert (var / "archive" / "cases" / dept / "window.csv").exists()
    reason = (var / "rejected" / "cases" / dept / "broken.jsonl.reason.txt").read_text(encoding="utf-8")
    assert "第2行" in reason
    assert json.loads((var / "cases" / "state.json").read_text())["water-approvals"]["cursor"] == "2026-06-05T10:00"

    # a later state of the open case: the next run asks only after the cursor and updates it
    approval_system.records.append(rec(f"{tag}-3", dept, "2026-06-10T09:00", 办结时间="2026-06-05 15:00"))
    again = dagbag.dags["qingyang_cases"].test()
    assert again.state == DagRunState.SUCCESS
    assert approval_system.asked[-1] == "2026-06-05T10:00"
    june = ckan("qingyang_efficiency_month", {"organization": dept, "month": "2026-06"})
    assert (june["cases"], june["on_time"]) == (4, 3)

"""风险评估's findings through the API and the pages: the pipeline reports, a re-found finding
is the same finding, a fixed one closes, departments see their own, the admin all."""
import csv
import datetime as dt
import io

import openpyxl

from ckanext.qingyang.boards.tests.world import call, ok
from ckanext.qingyang.core.tests import risk_files as rf
from ckanext.qingyang.supervision.risk import facts

FIELD = {"source": "fields", "where": "字段“办理地点”", "rule": "mobile", "masked": "138****5678"}
CELL = {"source": "res-1", "where": "附件《名单.csv》第 2 行“备注”列", "rule": "id_number",
        "masked": "6210**********1234"}


def report(app, w, org, today, findings, sources=None, unchanged=(), actor="pipeline"):
    return call(app, w, actor, "qingyang_risk_report", run_id=f"run-{today}", package_id=w.items[org]["id"],
                today=today, findings=findings, sources=sources or {"fields": "f1", "res-1": "r1"},
                unchanged=list(unchanged))


def test_open_until_a_rescan_no_longer_finds_it(app, world):
    w = world
    status, first = report(app, w, "housing", "2026-11-02", [FIELD, CELL])
    assert status == 200 and first["new"] == 2, first
    ids = {f["where"]: f["id"] for f in ok(app, w, "housing", "qingyang_risk_findings", organization="housing")}
    assert set(ids) == {FIELD["where"], CELL["where"]}

    # the department hears of it in the app, with the item's link
    notices = ok(app, w, "housing", "qingyang_notice_list")
    assert any("风险评估" in n["subject"] and "138****5678" in n["body"] and rf.VALID_ID not in n["body"]
               for n in notices)

    # a rescan finds both again: the same findings, first found unchanged
    assert report(app, w, "housing", "2026-11-09", [FIELD, CELL])[1]["still_open"] == 2
    again = ok(app, w, "housing", "qingyang_risk_findings", organization="housing")
    assert {f["where"]: f["id"] for f in again} == ids and {f["first_found"] for f in again} == {"2026-11-02"}

    # the field is fixed; the attachment was unchanged and not read: only the field's finding closes
    result = report(app, w, "housing", "2026-11-16", [], unchanged=["res-1"])[1]
    assert result["closed"] == 1
    (still,) = ok(app, w, "housing", "qingyang_risk_findings", organization="housing")
    assert still["where"] == CELL["where"] and still["status"] == "未整改"
    (closed,) = ok(app, w, "housing", "qingyang_risk_findings", organization="housing", status="closed")
    assert closed["closed_on"] == "2026-11-16" and closed["status"] == "已整改"

    # the scoreboard's contract: open on a date
    with app.flask_app.test_request_context():
        org = w.orgs["housing"]["id"]
        on_nov_12 = facts.open_findings(org, dt.date(2026, 11, 12))
        assert {f["where"] for f in on_nov_12} == {FIELD["where"], CELL["where"]}
        assert set(on_nov_12[0]) == {"id", "package_id", "package_title", "where", "rule", "rule_label",
                                     "first_found", "url"}
        now = facts.open_findings(org)
        assert [(f["where"], f["rule_label"], f["first_found"]) for f in now] == [
            (CELL["where"], "身份证号码", "2026-11-02")]
        assert now[0]["url"] == "/dataset/" + w.items["housing"]["name"] and now[0]["package_title"] == "市住建局示例事项"
        assert facts.open_findings(org, dt.date(2026, 11, 1)) == []
        assert facts.open_findings(w.orgs["transport"]["id"]) == []
        assert facts.report_url(org).endswith(f"/qingyang/risk/{org}")

    # the attachment replaced without the ID: read again, closed
    assert report(app, w, "housing", "2026-11-23", [], sources={"fields": "f1", "res-1": "r2"})[1]["closed"] == 1
    assert ok(app, w, "housing", "qingyang_risk_findings", organization="housing") == []


def test_who_reports_and_who_reads(app, world):
    w = world
    report(app, w, "housing", "2026-12-07", [FIELD])
    report(app, w, "transport", "2026-12-07", [CELL])
    assert report(app, w, "housing", "2026-12-07", [CELL], actor="housing")[0] == 403
    assert call(app, w, "transport", "qingyang_risk_findings", organization="housing")[0] == 403
    assert call(app, w, "transport", "qingyang_risk_findings")[0] == 403
    everyone = ok(app, w, "admin", "qingyang_risk_findings")
    assert sorted(f["package_title"] for f in everyone) == ["市交通局示例事项", "市住建局示例事项"]
    sources = ok(app, w, "pipeline", "qingyang_risk_sources")
    assert sources[w.items["housing"]["id"]] == {"fields": "f1", "res-1": "r1"}


def test_bad_reports_change_nothing(app, world):
    w = world
    report(app, w, "housing", "2026-12-07", [FIELD])
    status, err = report(app, w, "housing", "2026-12-08", [dict(CELL, rule="password")])
    assert status == 409 and "第 1 条的规则未知:password" in str(err)
    status, err = report(app, w, "housing", "2026-12-08", [dict(CELL, source="res-9")])
    assert status == 409 and "res-9" in str(err)
    status, err = report(app, w, "housing", "2026-12-08", [{"source": "fields", "rule": "mobile"}])
    assert status == 409 and "缺少 where, masked" in str(err)
    (f,) = ok(app, w, "housing", "qingyang_risk_findings", organization="housing")
    assert f["where"] == FIELD["where"] and f["closed_on"] is None


def test_report_pages_and_downloads(app, world):
    w = world
    report(app, w, "housing", "2026-12-07", [FIELD, CELL])
    report(app, w, "transport", "2026-12-07", [dict(FIELD, where="字段“联系电话”")])
    admin = {"Authorization": w.tokens["admin"]}
    page = app.get("/qingyang/risk", headers=admin).get_data(as_text=True)
    assert "全市风险评估报告" in page and "市住建局示例事项" in page and "市交通局示例事项" in page
    assert "6210**********1234" in page and rf.VALID_ID not in page

    own = app.get("/qingyang/risk", headers={"Authorization": w.tokens["housing"]}, follow_redirects=True)
    text = own.get_data(as_text=True)
    assert "市住建局风险评估报告" in text and "市交通局示例事项" not in text
    assert app.get("/qingyang/risk/housing", headers={"Authorization": w.tokens["transport"]}).status_code == 403

    data = app.get("/qingyang/risk/housing?format=csv", headers=admin).data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(data)))
    assert rows[0][:4] == ["部门", "事项", "位置(字段或行列)", "规则"]
    assert sorted(r[3] for r in rows[1:]) == ["手机号码", "身份证号码"]
    book = openpyxl.load_workbook(io.BytesIO(app.get("/qingyang/risk?format=xlsx", headers=admin).data))
    sheet = list(book.active.iter_rows(values_only=True))
    assert sheet[0][0] == "全市风险评估报告" and len(sheet) == 2 + 3

"""督查考核 through CKAN's API and pages: every indicator's score traced to its facts, the
small-sample rule, who sees what, snapshots that keep history, rules that change from the
next month, and the XLSX export."""
from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from ckan.tests import helpers
from openpyxl import load_workbook

from ckanext.qingyang.supervision.assessment.tests.world import BEFORE, LAST, THIS


def act(app, world, who: str, action: str, status: int = 200, **params):
    res = app.post(f"/api/3/action/{action}", json=params, headers={"Authorization": world.tokens[who]}, status=status)
    return res.json["result"] if status == 200 else res.json["error"]


def row(board: dict, name: str) -> dict:
    return next(r for r in board["departments"] if r["organization"] == name)


def ind(r: dict, key: str) -> dict:
    return next(i for i in r["indicators"] if i["key"] == key)


def test_every_indicator_is_traced_to_its_facts(app, world):
    board = act(app, world, "admin", "qingyang_assessment_board", month=LAST)
    assert board["live"] and board["month"] == LAST
    fin, good = row(board, "qy-fin"), row(board, "qy-good")

    c = ind(fin, "completeness")
    assert (c["n"], c["good"], c["score"]) == (4, 1, 25.0)
    assert sorted(e["title"] for e in c["evidence"]) == ["监管信息共享目录", "财政专项资金管理清单", "部门责任清单"]
    assert ind(good, "completeness")["score"] == 100 and ind(good, "completeness")["evidence"] == []

    t = ind(fin, "timeliness")
    assert t["score"] == 40 and t["evidence"][0]["label"] == "逾期" and "/power_item/?organization=qy-fin" in t["evidence"][0]["url"]
    assert ind(good, "timeliness")["score"] == 100

    q = ind(fin, "quality")
    assert (q["n"], q["good"]) == (1, 0) and q["evidence"][0]["url"] == "/qingyang/submissions/qy-fin"
    assert ind(fin, "quality")["status_label"] == "样本不足"   # one submission is below min_sample

    r = ind(fin, "review")
    assert (r["n"], r["good"], r["score"]) == (6, 4, pytest.approx(66.7, abs=0.1))
    assert [e["label"] for e in r["evidence"]] == ["审核超时", "审核超时"]
    assert ind(good, "review")["status_label"] == "不适用"

    s = ind(good, "sharing")
    assert (s["n"], s["good"], s["score"]) == (5, 4, 80.0)
    assert [e["label"] for e in s["evidence"]] == ["逾期未答复"]

    m = ind(good, "messages")
    assert (m["n"], m["good"]) == (6, 5) and m["extra"] == {"rated": 5, "satisfied": 4, "supervised": 1}
    assert m["score"] == pytest.approx(100 * (0.7 * 5 / 6 + 0.3 * 4 / 5) - 5, abs=0.1)
    assert {e["label"] for e in m["evidence"]} == {"超期答复", "不满意", "督办"}
    assert all(e["url"].startswith("/boards/messages/") for e in m["evidence"])

    a = ind(fin, "accountability")
    assert a["score"] == 0 and [e["title"] for e in a["evidence"]] == ["分管领导", "主管科室", "专人"]
    assert ind(good, "accountability")["score"] == 100

    # the total is the weighted mean of the counted indicators only
    counted = [i for i in fin["indicators"] if i["status"] == "counted"]
    assert fin["total"] == pytest.approx(sum(i["weight"] * i["score"] for i in counted) / sum(i["weight"] for i in counted), abs=0.1)
    assert good["rank"] < fin["rank"]


def test_two_quick_replies_are_shown_but_do_not_count(app, world):
    county = row(act(app, world, "admin", "qingyang_assessment_board", month=LAST), "qy-qc-civil")
    m = ind(county, "messages")
    assert m["status_label"] == "样本不足" and m["rate"] == 1.0 and m["score"] is None


def test_a_county_sees_its_own_and_a_department_only_itself(app, world):
    mine = act(app, world, "county_gov", "qingyang_assessment_board", month=LAST)
    assert {r["organization"] for r in mine["departments"]} == {"qy-qc-gov", "qy-qc-civil"}
    assert [c["title"] for c in mine["counties"]] == ["庆城县"]
    own = act(app, world, "good", "qingyang_assessment_board", month=LAST)
    assert [r["organization"] for r in own["departments"]] == ["qy-good"]
    err = act(app, world, "good", "qingyang_assessment_show", status=403, organization="qy-fin", month=LAST)
    assert "本部门" in err["message"]
    assert app.get("/qingyang/assessment/", status=403)
    assert app.post("/api/3/action/qingyang_assessment_board", json={}, status=403)


def test_a_snapshot_keeps_the_month_as_it_was(app, world):
    import ckan.model as model
    from ckanext.qingyang.model import review

    assert "平台管理员" in act(app, world, "fin", "qingyang_assessment_snapshot", status=403, month=LAST)["message"]
    err = act(app, world, "admin", "qingyang_assessment_snapshot", status=409, month=THIS)
    assert "尚未结束" in str(err)
    before = row(act(app, world, "admin", "qingyang_assessment_board", month=LAST), "qy-fin")
    assert act(app, world, "admin", "qingyang_assessment_snapshot", month=LAST)["organizations"] >= 4
    assert "已存档" in str(act(app, world, "admin", "qingyang_assessment_snapshot", status=409, month=LAST))

    # a late review recorded afterwards changes the live figure but not the stored month
    model.Session.execute(review.insert().values(
        id="r-late", version_id="v-none", package_id="p", reviewer_id="u", reviewer_name="n",
        office_org=world.orgs["fin"]["id"], role="finance_bureau", decision="approve",
        at=sa.func.now()))
    model.Session.commit()
    stored = act(app, world, "admin", "qingyang_assessment_board", month=LAST)
    assert not stored["live"] and stored["snapshot"]["taken_by"] == "qy-assess-admin"
    assert row(stored, "qy-fin")["total"] == before["total"]
    assert [m for m in stored["months"] if m["month"] == LAST][0]["snapshot"]
    trend = act(app, world, "admin", "qingyang_assessment_show", organization="qy-fin")["trend"]
    assert [t for t in trend if t["month"] == LAST][0] == {"month": LAST, "total": before["total"],
                                                           "rank": before["rank"], "snapshot": True}
    with pytest.raises(sa.exc.DBAPIError, match="append-only"):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("UPDATE qingyang_assessment_score SET total = 100"))


def test_a_new_weighting_applies_from_its_month_on(app, world, ckan_config, monkeypatch, tmp_path):
    catalogs = Path(ckan_config["ckanext.qingyang.catalogs_dir"])
    copy = tmp_path / "catalogs"
    shutil.copytree(catalogs, copy)
    doc = yaml.safe_load((copy / "assessment.yaml").read_text("utf-8"))
    new = yaml.safe_load(yaml.safe_dump(doc["versions"][0]))
    new["from"] = THIS
    for key in new["indicators"]:
        new["indicators"][key]["weight"] = 1 if key == "accountability" else 0
    doc["versions"].append(new)
    (copy / "assessment.yaml").write_text(yaml.safe_dump(doc, allow_unicode=True), "utf-8")
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.catalogs_dir", str(copy))

    now = act(app, world, "admin", "qingyang_assessment_board", month=THIS)
    assert now["rules_from"] == THIS and row(now, "qy-fin")["total"] == 0 and row(now, "qy-good")["total"] == 100
    assert act(app, world, "admin", "qingyang_assessment_board", month=BEFORE)["rules_from"] != THIS

    (copy / "assessment.yaml").write_text("versions:\n  - from: 2026-99\n", "utf-8")
    err = act(app, world, "admin", "qingyang_assessment_board", status=409, month=THIS)
    assert "from must be YYYY-MM" in str(err)


def test_the_board_exports_to_xlsx_with_its_evidence(app, world):
    res = app.get(f"/qingyang/assessment/export.xlsx?month={LAST}", headers={"Authorization": world.tokens["admin"]})
    assert res.status_code == 200 and "attachment" in res.headers["Content-Disposition"]
    wb = load_workbook(io.BytesIO(res.data))
    assert wb.sheetnames == ["部门排名", "县区排名", "扣分依据"]
    heads = [c.value for c in wb["部门排名"][1]]
    assert heads[:4] == ["名次", "部门", "辖区", "总分"] and "责任落实" in heads
    names = {r[1]: r for r in wb["部门排名"].iter_rows(min_row=2, values_only=True) if r and r[1]}
    board = act(app, world, "admin", "qingyang_assessment_board", month=LAST)
    assert names["庆阳市财政局"][3] == row(board, "qy-fin")["total"]
    evidence = [r for r in wb["扣分依据"].iter_rows(min_row=2, values_only=True) if r[0] == "庆阳市财政局"]
    assert ("庆阳市财政局", "审核时效", "审核超时") in {r[:3] for r in evidence}
    assert all(r[5].startswith("http") for r in evidence if r[5])

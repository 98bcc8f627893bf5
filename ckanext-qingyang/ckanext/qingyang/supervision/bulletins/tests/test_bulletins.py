"""通报 through CKAN's API: a draft names the late with their items and 责任人, the platform
admin issues it, its XLSX and PDF are archived with their hashes and can no longer change,
and the people it names get it in the app and by mail (a real SMTP server, aiosmtpd)."""
from __future__ import annotations

import hashlib
import io
import os

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook
from pypdf import PdfReader

from ckanext.qingyang.supervision.assessment.tests.world import LAST, THIS


def act(app, world, who: str, action: str, status: int = 200, **params):
    res = app.post(f"/api/3/action/{action}", json=params, headers={"Authorization": world.tokens[who]}, status=status)
    return res.json["result"] if status == 200 else res.json["error"]


def named(b: dict) -> dict:
    return {o["organization"]: o for o in b["content"]["organizations"]}


def test_a_draft_names_the_late_with_their_items_and_responsible(app, world, archive):
    assert "平台管理员" in act(app, world, "fin", "qingyang_bulletin_draft", status=403, month=LAST)["message"]
    assert "尚未结束" in str(act(app, world, "admin", "qingyang_bulletin_draft", status=409, month=THIS))
    draft = act(app, world, "admin", "qingyang_bulletin_draft", month=LAST)
    assert draft["state"] == "draft" and draft["title"].startswith(f"关于{LAST[:4]}年")
    orgs = named(draft)
    fin = orgs["qy-fin"]
    labels = [(i["indicator"], i["label"]) for i in fin["items"]]
    assert labels.count(("审核时效", "审核超时")) == 2 and labels.count(("完整性", "未发布")) == 3
    assert ("及时性", "逾期") in labels
    assert fin["responsible"]["leader_in_charge"] == ""   # 财政局 has named nobody
    good = orgs["qy-good"]
    assert {i["label"] for i in good["items"]} == {"逾期未答复", "超期答复", "督办"}   # not 不满意: not lateness
    assert good["responsible"]["content_officer"] == "李秀英"
    # the county department published one of its three lists; 庆城县's average is above the line
    assert "qy-qc-civil" in orgs and draft["content"]["counties"] == []
    # a department cannot read a draft; redrafting replaces it (one draft per month)
    assert "草稿" in act(app, world, "good", "qingyang_bulletin_show", status=403, id=draft["id"])["message"]
    again = act(app, world, "admin", "qingyang_bulletin_draft", month=LAST)
    assert again["id"] == draft["id"]
    assert act(app, world, "good", "qingyang_bulletin_list") == []


def test_issuing_archives_the_files_and_reaches_those_named(app, world, archive, smtp_server):
    import ckan.model as model

    draft = act(app, world, "admin", "qingyang_bulletin_draft", month=LAST)
    issued = act(app, world, "admin", "qingyang_bulletin_issue", id=draft["id"])
    assert issued["state"] == "issued" and issued["number"].startswith(f"庆阳政务服务网通报〔{LAST[:4]}〕")
    assert sorted(issued["recipients"]) == ["qy-assess-fin", "qy-assess-good"]

    # the files: read-only in the archive, their hashes recorded, served only while they match
    pdf_path = archive / issued["files"]["pdf"]["path"]
    assert not os.access(pdf_path, os.W_OK) or (pdf_path.stat().st_mode & 0o222) == 0
    headers = {"Authorization": world.tokens["good"]}
    pdf = app.get(f"/qingyang/bulletins/{issued['id']}/bulletin.pdf", headers=headers).data
    assert hashlib.sha256(pdf).hexdigest() == issued["files"]["pdf"]["sha256"]
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "庆阳市财政局" in text and "审核超时" in text and issued["number"] in text
    wb = load_workbook(io.BytesIO(app.get(f"/qingyang/bulletins/{issued['id']}/bulletin.xlsx", headers=headers).data))
    assert wb.sheetnames == ["被通报单位", "问题明细", "县区政府"]
    units = [r[0] for r in wb["被通报单位"].iter_rows(min_row=3, values_only=True)]
    assert "庆阳市财政局" in units and "庆阳市民政局" in units

    # in the app and by mail, with the archived PDF attached
    for who in ("fin", "good"):
        notes = act(app, world, who, "qingyang_notice_list")
        assert any(issued["number"] in n["subject"] for n in notes)
    mails = {m["to"][0]: m for m in smtp_server.messages}
    assert set(mails) == {world.users["fin"]["email"], world.users["good"]["email"]}
    mail = mails[world.users["fin"]["email"]]
    assert issued["number"] in mail["subject"] and f"/qingyang/bulletins/{issued['id']}" in mail["body"]
    assert list(mail["attachments"].values()) == [pdf]

    # issued means final: no redraft, no second issue, no rewrite in the database
    assert "已印发" in str(act(app, world, "admin", "qingyang_bulletin_draft", status=409, month=LAST))
    assert "已印发" in str(act(app, world, "admin", "qingyang_bulletin_issue", status=409, id=draft["id"]))
    with pytest.raises(sa.exc.DBAPIError, match="immutable"):
        with model.meta.engine.begin() as conn:
            conn.execute(sa.text("UPDATE qingyang_bulletin SET content = '{}' WHERE id = :i"), {"i": draft["id"]})
    assert [b["id"] for b in act(app, world, "good", "qingyang_bulletin_list")] == [draft["id"]]

    # a changed file is refused, never served
    os.chmod(pdf_path.parent, 0o755)
    os.chmod(pdf_path, 0o644)
    pdf_path.write_bytes(pdf + b"%tampered")
    res = app.get(f"/qingyang/bulletins/{issued['id']}/bulletin.pdf", headers=headers, status=409)
    assert "已被改动" in res.get_data(as_text=True)

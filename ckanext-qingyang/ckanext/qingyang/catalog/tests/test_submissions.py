"""提交清单 (upload into the pipeline's inbox) and 提交记录 (what became of each file)."""
import io

import pytest
from openpyxl import load_workbook

import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.tests.factories import department

REPORT = {
    "run_id": "manual__2026-11-28", "org_name": "", "type_name": "service_item", "file_name": "民政.csv",
    "sha256": "ab" * 32, "outcome": "accepted", "reason_zh": "", "rows": 4, "created": 3, "updated": 0,
    "unchanged": 0, "cancelled": 0, "quarantined_rows": 1,
    "problems": [{"row": 4, "column": "办结时限", "value": "当天", "message_zh": "办结时限:“当天”应为整数",
                  "message_en": "row 4: field time_limit_days", "blocking": True}],
}


@pytest.fixture()
def dept(clean_db):
    return department(name="qingyang-civil-affairs", title="庆阳市民政局")


def _member(dept, role):
    user = factories.User()
    helpers.call_action("organization_member_create", {"ignore_auth": True}, id=dept["id"],
                        username=user["name"], role=role)
    return user, {"Authorization": factories.APIToken(user=user["name"])["token"]}


def test_an_editor_uploads_a_list_into_the_inbox(app, dept, tmp_path, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.inbox_dir", str(tmp_path))
    _, headers = _member(dept, "editor")
    resp = app.post(f"/qingyang/submit/{dept['name']}", headers=headers,
                    data={"type": "service_item", "file": (io.BytesIO("事项名称\n".encode()), "民政.csv")},
                    follow_redirects=False)
    assert resp.status_code == 302
    saved = list((tmp_path / dept["name"] / "service_item").iterdir())
    assert len(saved) == 1 and saved[0].name.endswith("-民政.csv")
    assert saved[0].read_bytes() == "事项名称\n".encode()


def test_only_the_departments_editors_may_upload(app, dept, tmp_path, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.inbox_dir", str(tmp_path))
    _, member = _member(dept, "member")
    outsider = {"Authorization": factories.APIToken(user=factories.User()["name"])["token"]}
    for headers in ({}, outsider, member):
        resp = app.post(f"/qingyang/submit/{dept['name']}", headers=headers,
                        data={"type": "service_item", "file": (io.BytesIO(b"x"), "a.csv")})
        assert resp.status_code == 403
    assert not any(tmp_path.rglob("*.csv"))


def test_the_department_sees_its_submissions_and_downloads_the_error_report(app, dept):
    site = helpers.call_action("get_site_user")
    helpers.call_action("qingyang_submission_record", {"user": site["name"]}, organization=dept["name"],
                        report=dict(REPORT, org_name=dept["name"]))
    _, headers = _member(dept, "member")
    page = app.get(f"/qingyang/submissions/{dept['name']}", headers=headers)
    assert page.status_code == 200
    assert "民政.csv" in page.body and "便民服务事项目录" in page.body and "3/0/0/0" in page.body
    records = helpers.call_action("qingyang_submission_list", {"user": site["name"]}, organization=dept["name"])
    xlsx = app.get(f"/qingyang/submissions/{dept['name']}/{records[0]['id']}/errors.xlsx", headers=headers)
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert [c.value for c in sheet[4]][:4] == [4, "办结时限", "当天", "办结时限:“当天”应为整数"]


def test_other_departments_and_the_public_cannot_read_submissions(app, dept):
    site = helpers.call_action("get_site_user")
    helpers.call_action("qingyang_submission_record", {"user": site["name"]}, organization=dept["name"],
                        report=dict(REPORT, org_name=dept["name"]))
    outsider = factories.User()
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("qingyang_submission_list", {"user": outsider["name"], "ignore_auth": False},
                            organization=dept["name"])
    assert app.get(f"/qingyang/submissions/{dept['name']}").status_code == 403
    with pytest.raises(tk.NotAuthorized):
        helpers.call_action("qingyang_submission_record", {"user": outsider["name"], "ignore_auth": False},
                            organization=dept["name"], report=REPORT)


def test_data_docs_are_served_to_government_users_only(app, dept, tmp_path, ckan_config, monkeypatch):
    monkeypatch.setitem(ckan_config, "ckanext.qingyang.quality_dir", str(tmp_path))
    (tmp_path / "run1").mkdir()
    (tmp_path / "run1" / "index.html").write_text("<h1>qingyang_service_item</h1>")
    _, member = _member(dept, "member")
    public = {"Authorization": factories.APIToken(user=factories.User()["name"])["token"]}
    assert app.get("/qingyang/quality/run1/index.html", headers=member).body == "<h1>qingyang_service_item</h1>"
    assert app.get("/qingyang/quality/run1/index.html", headers=public).status_code == 403
    assert app.get("/qingyang/quality/run1/index.html").status_code == 403
    assert app.get("/qingyang/quality/../secrets/x", headers=member).status_code == 404

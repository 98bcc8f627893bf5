"""Household rows of 扶贫项目: the public gets them masked (张*明, 6210**********1234,
138****5678) on every path; full rows reach only the owner and the 扶贫办 of the
project's jurisdiction and of the city. Real CKAN, DataStore and Solr."""
from __future__ import annotations

import json

import pytest
from ckan.tests import factories, helpers

from ckanext.qingyang.core import masking
from ckanext.qingyang.tests.factories import department, example_item, published

FULL = [  # 村, 户主姓名, 身份证号码, 联系电话
    ("西沟村", "张三明", "621022199001011234", "13812345678"),
    ("西沟村", "欧阳春", "62102219850505214X", "13998765432"),
]
SECRETS = [v for row in FULL for v in row[1:]]
HEADERS = ("村", "户主姓名", "身份证号码", "联系电话", "家庭人口", "帮扶措施", "帮扶资金")


def rows(data=FULL):
    return [dict(zip(HEADERS, (*r, "4", "发放基础母羊 5 只", "6000"))) for r in data]


def api(app, token, action, **params):
    res = app.post(f"/api/3/action/{action}", json=params, headers={"Authorization": token} if token else {})
    body = res.get_json(silent=True)
    return res.status_code, (body or {}).get("result", (body or {}).get("error")) if isinstance(body, dict) else body


@pytest.fixture()
def project(app, clean_db, clean_index):
    token = {}

    def user(org=None, role="editor", name=None):
        u = factories.User(name=name) if name else factories.User()
        if org:
            helpers.call_action("organization_member_create", {"ignore_auth": True}, id=org["id"],
                                username=u["name"], role=role)
        token[name or u["name"]] = helpers.call_action(
            "api_token_create", {"ignore_auth": True, "user": u["name"]}, user=u["name"], name="t")["token"]
        return u

    city = department(kind="government", name="qy-gov", title="庆阳市人民政府")
    parent = [{"name": "qy-gov", "capacity": "parent"}]
    city_office = department(name="qy-poverty", kind="office", roles="poverty_office", groups=parent)
    county = department(kind="government", name="huan-gov", jurisdiction_level="county", region_code="621022",
                        jurisdiction="环县", groups=parent)
    in_county = [{"name": "huan-gov", "capacity": "parent"}]
    county_office = department(name="huan-poverty", kind="office", roles="poverty_office", jurisdiction_level="county",
                               region_code="621022", jurisdiction="环县", groups=in_county)
    owner = department(name="huan-agri", jurisdiction_level="county", region_code="621022", jurisdiction="环县",
                       groups=in_county)
    other_county = department(kind="government", name="qingcheng-gov", jurisdiction_level="county",
                              region_code="621021", jurisdiction="庆城县", groups=parent)
    other_office = department(name="qingcheng-poverty", kind="office", roles="poverty_office",
                              jurisdiction_level="county", region_code="621021", jurisdiction="庆城县",
                              groups=[{"name": "qingcheng-gov", "capacity": "parent"}])
    other_dept = department(name="qy-health", groups=parent)
    user(owner, name="owner")
    user(county_office, name="county_office")
    user(city_office, name="city_office")
    user(other_office, name="other_county_office")
    user(other_dept, name="other_dept")
    user(name="registered")
    token["anonymous"] = None
    pkg = helpers.call_action("package_create", {"user": "owner"}, **example_item("poverty_project", owner_org=owner["id"]))
    published(pkg)
    del city, county, other_county
    return pkg, token


def test_a_bad_row_is_named_and_nothing_is_written(app, project):
    pkg, token = project
    bad = rows() + [dict(zip(HEADERS, ("西沟村", "李四", "621022199001011235", "12345", "4", "帮扶", "10")))]
    status, error = api(app, token["owner"], "qingyang_households_upload", id=pkg["id"], rows=bad)
    assert status == 409
    assert "第 4 行 身份证号码:“621022199001011235”不是有效的居民身份证号码" in error["rows"][0]
    assert "第 4 行 联系电话" in error["rows"][1]
    shown = helpers.call_action("package_show", id=pkg["id"])
    assert not [r for r in shown["resources"] if r.get("resource_role", "").startswith("households")]


def test_the_public_sees_households_only_masked_on_every_path(app, project):
    pkg, token = project
    status, loaded = api(app, token["owner"], "qingyang_households_upload", id=pkg["id"], rows=rows())
    assert status == 200 and loaded["households"] == 2, loaded
    full, public = loaded["resource_id"], loaded["public_resource_id"]
    # who reads the full rows
    for who, allowed in (("owner", True), ("county_office", True), ("city_office", True),
                         ("other_county_office", False), ("other_dept", False), ("registered", False),
                         ("anonymous", False)):
        status, result = api(app, token[who], "datastore_search", resource_id=full)
        assert (status == 200) == allowed, who
        if allowed:
            assert {r["head_name"] for r in result["records"]} == {"张三明", "欧阳春"}
        dump = app.get(f"/datastore/dump/{full}", headers={"Authorization": token[who]} if token[who] else {})
        assert any(s in dump.get_data(as_text=True) for s in SECRETS) == allowed, who
    # what the public gets
    status, result = api(app, None, "datastore_search", resource_id=public)
    assert [(r["head_name"], r["id_number"], r["phone"]) for r in result["records"]] == [
        ("张*明", "6210**********1234", "138****5678"), ("欧*春", "6210**********214X", "139****5432")]
    for secret in SECRETS:
        # full-text and filters over the public copy find nothing, so they confirm nothing
        status, found = api(app, None, "datastore_search", resource_id=public, q=secret)
        assert status == 200 and found["records"] == [], secret
    status, found = api(app, None, "datastore_search", resource_id=public, filters={"id_number": FULL[0][2]})
    assert found["records"] == []
    # and nothing public carries a full value
    texts = [
        json.dumps(api(app, None, "package_show", id=pkg["id"])[1], ensure_ascii=False),
        json.dumps(api(app, None, "package_search", q="*:*", fl="data_dict,validated_data_dict")[1], ensure_ascii=False),
        json.dumps(api(app, None, "package_activity_list", id=pkg["id"])[1], ensure_ascii=False),
        app.get(f"/datastore/dump/{public}").get_data(as_text=True),
        app.get(f"/dataset/{pkg['name']}").get_data(as_text=True),
        app.get(f"/dataset/{pkg['name']}/resource/{full}").get_data(as_text=True),
        app.get(f"/dataset/{pkg['name']}/resource/{public}").get_data(as_text=True),
        app.get(f"/dataset/{pkg['name']}.jsonld").get_data(as_text=True),
    ]
    for text in texts:
        assert not [s for s in SECRETS if s in text]
    assert app.get(f"/dataset/{pkg['id']}/resource/{full}/download").status_code == 403
    # a county 扶贫办's reading is an outsider's access: audited; the owner's is not
    status, log_rows = api(app, token["owner"], "qingyang_audit_list", organization="huan-agri")
    assert {(r["user_name"], r["access"]) for r in log_rows} >= {("county_office", "datastore"),
                                                                 ("city_office", "datastore")}
    assert "owner" not in {r["user_name"] for r in log_rows}


def test_a_new_upload_replaces_the_rows_and_keeps_both_tables(app, project):
    pkg, token = project
    api(app, token["owner"], "qingyang_households_upload", id=pkg["id"], rows=rows())
    status, loaded = api(app, token["owner"], "qingyang_households_upload", id=pkg["id"], rows=rows(FULL[:1]))
    assert status == 200
    _, full = api(app, token["owner"], "datastore_search", resource_id=loaded["resource_id"])
    _, public = api(app, None, "datastore_search", resource_id=loaded["public_resource_id"])
    assert [r["head_name"] for r in full["records"]] == ["张三明"]
    assert [r["head_name"] for r in public["records"]] == ["张*明"]
    roles = [r["resource_role"] for r in helpers.call_action("package_show", id=pkg["id"])["resources"]]
    assert sorted(roles) == ["households", "households_public"]
    # someone outside the department cannot load rows
    assert api(app, token["county_office"], "qingyang_households_upload", id=pkg["id"], rows=rows())[0] == 403


@pytest.mark.parametrize("value, kind, masked", [
    ("张三明", "name", "张*明"), ("李四", "name", "李*"), ("欧阳春晓", "name", "欧**晓"),
    ("621022199001011234", "id_number", "6210**********1234"), ("13812345678", "phone", "138****5678")])
def test_masks(value, kind, masked):
    assert masking.MASKS[kind](value) == masked

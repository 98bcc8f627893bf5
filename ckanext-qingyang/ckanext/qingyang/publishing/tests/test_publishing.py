"""The publishing workflow (梳理 → 审核 → 发布 → 更新维护), against the real CKAN,
PostgreSQL and Solr of test.ini. Every call is made with the actor's own API token
(or none), through the action API or the web pages."""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field

import pytest
from ckan.tests import factories, helpers

from ckanext.qingyang.core import listdef
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.tests.factories import department, example_item

TYPES = listdef.TYPE_NAMES
# list type -> the office users who must all approve it (catalogs/review_routes.yaml)
REVIEWERS = {
    "power_item": ("reform", "legal"), "responsibility_item": ("reform",), "approval_item": ("reform",),
    "special_fund": ("finance",), "poverty_fund_plan": ("poverty",), "poverty_project": ("poverty",),
    "service_item": ("service",), "shared_resource": ("egov", "service"),
}
OFFICES = {"reform": "reform_office", "legal": "legal_office", "finance": "finance_bureau",
           "poverty": "poverty_office", "service": "service_center", "egov": "egov_office platform_admin"}


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)


def call(app, w: World, actor: str | None, action: str, /, **params):
    headers = {"Authorization": w.tokens[actor]} if actor else {}
    res = app.post(f"/api/3/action/{action}", json=params, headers=headers)
    body = res.get_json(silent=True) or {}
    return res.status_code, body.get("result", body.get("error"))


def ok(app, w, actor, action, /, **params):
    status, result = call(app, w, actor, action, **params)
    assert status == 200, (actor, action, result)
    return result


def refused(app, w, actor, action, status=403, /, **params) -> str:
    got, error = call(app, w, actor, action, **params)
    assert got == status, (actor, action, got, error)
    return json.dumps(error, ensure_ascii=False)


def page(app, w, actor, url, **kw):
    headers = {"Authorization": w.tokens[actor]} if actor else {}
    return app.get(url, headers=headers, **kw)


def post(app, w, actor, url, data):
    return app.post(url, data=data, headers={"Authorization": w.tokens[actor]}, follow_redirects=False)


def _user(w: World, name: str, org: str | None = None, capacity: str = "editor", **kw) -> None:
    user = factories.User(name=f"qy-{name}", fullname=f"{name}-姓名", **kw)
    w.users[name] = user
    w.tokens[name] = helpers.call_action("api_token_create", {"ignore_auth": True, "user": user["name"]},
                                         user=user["name"], name="t")["token"]
    if org:
        helpers.call_action("organization_member_create", {"ignore_auth": True}, id=w.orgs[org]["id"],
                            username=user["name"], role=capacity)


@pytest.fixture()
def world(clean_db, clean_index) -> World:
    w = World()
    city = department(kind="government", name="city-gov", title="庆阳市人民政府")
    below_city = [{"name": city["name"], "capacity": "parent"}]
    w.orgs["dept"] = department(name="city-dept", title="市自然资源局", groups=below_city)
    for key, roles in OFFICES.items():
        w.orgs[key] = department(name=f"city-{key}", title=f"市{key}办", kind="office", roles=roles, groups=below_city)
    county = department(kind="government", name="county-gov", title="西峰区人民政府", jurisdiction_level="county",
                        jurisdiction="西峰区", region_code="621002", groups=below_city)
    below_county = [{"name": county["name"], "capacity": "parent"}]
    w.orgs["county_dept"] = department(name="county-dept", title="西峰区农业农村局", jurisdiction_level="county",
                                       jurisdiction="西峰区", region_code="621002", groups=below_county)
    for key, roles in (("county_reform", "reform_office"), ("county_poverty", "poverty_office")):
        w.orgs[key] = department(name=key.replace("_", "-"), title=f"西峰区{key}", kind="office", roles=roles,
                                 jurisdiction_level="county", jurisdiction="西峰区", region_code="621002",
                                 groups=below_county)
    for name, org in (("editor", "dept"), ("editor2", "dept"), ("county_editor", "county_dept"),
                      ("county_reform", "county_reform"), ("county_poverty", "county_poverty")):
        _user(w, name, org)
    _user(w, "dept_admin", "dept", "admin")
    _user(w, "dept_member", "dept", "member")
    for key in OFFICES:
        _user(w, key, key)
    _user(w, "reform_member", "reform", "member")
    _user(w, "dual", "dept")                      # an editor of the department who also reviews for 审改办
    helpers.call_action("organization_member_create", {"ignore_auth": True}, id=w.orgs["reform"]["id"],
                        username="qy-dual", role="editor")
    _user(w, "sysadmin", sysadmin=True)
    return w


TEXTS = {"returned": "退回后修改的内容", "revised": "修订后的内容", "adjusted": "调整后的内容", "again": "再改",
         "web1": "网页修改的内容", "web2": "网页修订的内容"}
AMOUNTS = {"returned": "101.5", "revised": "202.5", "adjusted": "303.5", "again": "404.5",
           "web1": "515.25", "web2": "626.75"}


def edit_field(type_name: str) -> tuple[str, dict[str, str]]:
    """A column an edit can change without changing the item's identity, and values for it."""
    lt = listdef.load_type(type_name)
    for c in lt.columns:
        if c.kind in ("qy_text", "qy_textarea") and c.field_name != "title" and c.field_name not in lt.natural_key \
                and not c.required_when and not c.cites_law:
            return c.field_name, TEXTS
    return next(c.field_name for c in lt.columns if c.kind == "qy_decimal"), AMOUNTS


def new_item(type_name: str, w: World, owner: str = "dept", **overrides) -> dict:
    if type_name == "responsibility_item":     # it names a power item of its department
        _power_item_for(w, owner, example_item("responsibility_item")["power_code"])
    item = example_item(type_name, owner_org=w.orgs[owner]["id"], **overrides)
    if type_name == "shared_resource":
        item.update(share_type="unconditional", open_type="open")
    return item


def _power_item_for(w: World, owner: str, code: str) -> None:
    import ckan.model as model

    if not model.Session.query(model.Package).filter(model.Package.owner_org == w.orgs[owner]["id"],
                                                     model.Package.extras["code"].astext == code).count():
        helpers.call_action("package_create", {"user": w.users["editor"]["name"]},
                            **example_item("power_item", owner_org=w.orgs[owner]["id"], code=code))


def visible(app, w, actor, pkg) -> bool:
    return call(app, w, actor, "package_show", id=pkg["id"])[0] == 200


def approve_all(app, w, type_name, pkg) -> None:
    for reviewer in REVIEWERS[type_name]:
        ok(app, w, reviewer, "qingyang_item_review", id=pkg["id"], decision="approve")


# ---------------------------------------------------------------- the whole life, API
@pytest.mark.parametrize("type_name", TYPES)
def test_the_whole_life_of_an_item_through_the_api(app, world, type_name):
    w = world
    col, v = edit_field(type_name)
    reviewers = REVIEWERS[type_name]
    pkg = ok(app, w, "editor", "package_create", **new_item(type_name, w))
    assert pkg["private"] is True and pkg["publish_state"] == "draft"
    # a draft is its department's alone
    assert visible(app, w, "editor2", pkg) and visible(app, w, "dept_member", pkg)
    for outsider in (None, "county_editor", reviewers[0]):
        assert not visible(app, w, outsider, pkg), outsider
    assert ok(app, w, None, "package_search", q=pkg["title"], rows=100)["count"] == 0

    # submitting needs the declaration
    assert "declaration" in refused(app, w, "editor", "qingyang_item_submit", 409, id=pkg["id"])
    ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)
    shown = ok(app, w, "editor", "package_show", id=pkg["id"])
    assert shown["publish_state"] == "pending" and shown["private"] is True
    for reviewer in reviewers:      # the reviewing offices now see it; the public does not
        assert visible(app, w, reviewer, pkg)
        queue = ok(app, w, reviewer, "qingyang_review_queue")
        assert [i["name"] for i in queue["items"]] == [pkg["name"]] and queue["items"][0]["age_working_days"] == 0
    assert not visible(app, w, None, pkg) and not visible(app, w, "county_editor", pkg)

    # returned with a reason, edited, resubmitted
    assert "reason" in refused(app, w, reviewers[0], "qingyang_item_review", 409, id=pkg["id"], decision="return")
    ok(app, w, reviewers[0], "qingyang_item_review", id=pkg["id"], decision="return", reason="依据条款不全")
    shown = ok(app, w, "editor", "package_show", id=pkg["id"])
    assert shown["publish_state"] == "returned"
    assert shown["publication"]["open_version"]["return_reason"] == "依据条款不全"
    ok(app, w, "editor", "package_patch", id=pkg["id"], **{col: v["returned"]})
    assert ok(app, w, "editor", "package_show", id=pkg["id"])["publish_state"] == "returned"
    ok(app, w, "editor2", "qingyang_item_submit", id=pkg["id"], declaration=True)

    # every office approves; only then is it public
    for i, reviewer in enumerate(reviewers):
        ok(app, w, reviewer, "qingyang_item_review", id=pkg["id"], decision="approve")
        assert visible(app, w, None, pkg) == (i == len(reviewers) - 1)
    public = ok(app, w, None, "package_show", id=pkg["id"])
    assert public["publish_state"] == "published" and public[col] == v["returned"]
    record = public["publication"]
    assert record["publisher_org"] == "市自然资源局"
    assert record["review_offices"] == [w.orgs[r]["title"] for r in reviewers]
    assert record["published_at"][:10] == dt.date.today().isoformat()
    assert workflow.DECLARATION == record["declaration"] and "submitter" not in record
    assert ok(app, w, "county_editor", "package_show", id=pkg["id"])["publication"]["submitter"] == "editor2-姓名"
    assert ok(app, w, None, "package_search", q=f'name:{pkg["name"]}')["count"] == 1

    # an edit of a published item waits for review; the public keeps the published version
    ok(app, w, "editor", "package_patch", id=pkg["id"], **{col: v["revised"]})
    assert ok(app, w, None, "package_show", id=pkg["id"])[col] == v["returned"]
    assert ok(app, w, "editor", "package_show", id=pkg["id"])["publication"]["open_version"]["state"] == "draft"
    ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)
    assert ok(app, w, None, "package_show", id=pkg["id"])[col] == v["returned"]
    approve_all(app, w, type_name, pkg)
    assert ok(app, w, None, "package_show", id=pkg["id"])[col] == v["revised"]
    # the activity plugin holds each version; one diff shows the published field's change
    activities = ok(app, w, "editor", "package_activity_list", id=pkg["id"])
    diffs = [ok(app, w, "editor", "activity_diff", id=a["id"], object_type="package", diff_type="unified")["diff"]
             for a in activities[:-1]]
    before, after = (f'"{col}": {json.dumps(v[k])}' for k in ("returned", "revised"))   # the diff is of JSON
    assert any(f"-  {before}" in d and f"+  {after}" in d for d in diffs), diffs

    # adjustment by the reviewing office after a law changed, then cancellation
    ok(app, w, reviewers[0], "qingyang_adjust", ids=[pkg["id"]], action="amend", reason="机构职能调整",
       basis="庆政发〔2026〕1号", changes={col: v["adjusted"]})
    public = ok(app, w, None, "package_show", id=pkg["id"])
    assert (public["publish_state"], public[col]) == ("adjusted", v["adjusted"])
    if type_name in ("approval_item", "service_item"):       # its 办事指南 says when and why
        guide = page(app, w, None, f"/dataset/{pkg['name']}").get_data(as_text=True)
        assert "最近调整" in guide and "机构职能调整" in guide, guide
    ok(app, w, reviewers[0], "qingyang_adjust", ids=[pkg["name"]], action="abolish", reason="事项取消",
       basis="庆政发〔2026〕2号")
    public = ok(app, w, None, "package_show", id=pkg["id"])        # kept, marked, with reason and 依据
    assert (public["publish_state"], public["list_status"]) == ("cancelled", "withdrawn")
    assert "事项取消" in public["list_status_reason"] and "庆政发〔2026〕2号" in public["list_status_reason"]
    history = ok(app, w, None, "qingyang_item_history", id=pkg["id"])
    assert [(one["change"], one["state"]) for one in history["versions"]] == [
        ("create", "superseded"), ("revise", "superseded"), ("adjust", "superseded"), ("adjust", "published")]
    label = listdef.load_type(type_name).column(col).label     # each version's changes, readable
    assert {"label": label, "old": v["returned"], "new": v["revised"]} in history["versions"][1]["changes"]
    assert {"label": label, "old": v["revised"], "new": v["adjusted"]} in history["versions"][2]["changes"]
    assert "data" not in history["versions"][0]            # the proposals stay with the department
    notices = [n for n in ok(app, w, None, "qingyang_adjustment_list") if n["items"][0]["name"] == pkg["name"]]
    assert [(n["action"], n["basis"]) for n in notices] == [("abolish", "庆政发〔2026〕2号"), ("amend", "庆政发〔2026〕1号")]
    feed = page(app, w, None, "/qingyang/adjustments.atom")
    assert feed.headers["Content-Type"].startswith("application/atom+xml")
    entries = [e for e in feed.get_data(as_text=True).split("<entry>")[1:] if pkg["name"] in e]
    assert len(entries) == 2 and "庆政发〔2026〕2号" in entries[0] and "事项取消" in entries[0]
    # a cancelled item cannot be revised any more
    assert "已取消" in refused(app, w, "editor", "package_patch", 409, id=pkg["id"], **{col: v["again"]})


# ---------------------------------------------------------------- the whole life, web pages
def _form_errors(res) -> str:
    import re

    body = res.get_data(as_text=True)
    found = re.search(r'error-explanation.*?</div>', body, re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group() if found else body))[:300] + re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", body)).split("Skip to main content")[-1][:600]


def form_fields(item: dict) -> dict:
    out = {}
    for key, value in item.items():
        if isinstance(value, list) and value and isinstance(value[0], dict):
            out[key] = json.dumps(value, ensure_ascii=False)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize("type_name", TYPES)
def test_the_whole_life_of_an_item_through_the_web_pages(app, world, type_name):
    w = world
    col, v = edit_field(type_name)
    reviewers = REVIEWERS[type_name]
    item = new_item(type_name, w)
    res = post(app, w, "editor", f"/{type_name}/new", dict(form_fields(item), save="save"))
    assert res.status_code == 302, _form_errors(res)
    name = res.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    title = ok(app, w, "editor", "package_show", id=name)["title"]     # some types derive it
    body = page(app, w, "editor", f"/{type_name}/{name}").get_data(as_text=True)
    assert "草稿" in body and "提交审核" in body
    assert page(app, w, None, f"/{type_name}/{name}").status_code == 404

    form = page(app, w, "editor", f"/qingyang/items/{name}/submit").get_data(as_text=True)
    assert workflow.DECLARATION in form and w.orgs[reviewers[0]]["title"] in form
    assert "提交审核须确认声明" in post(app, w, "editor", f"/qingyang/items/{name}/submit", {}).get_data(as_text=True)
    assert post(app, w, "editor", f"/qingyang/items/{name}/submit", {"declaration": "true"}).status_code == 302

    queue = page(app, w, reviewers[0], "/qingyang/review").get_data(as_text=True)
    assert title in queue and "新发布" in queue
    assert "退回须写明原因" in post(app, w, reviewers[0], f"/qingyang/review/{name}",
                                   {"decision": "return"}).get_data(as_text=True)
    assert post(app, w, reviewers[0], f"/qingyang/review/{name}", {"decision": "return", "reason": "请补充"}).status_code == 302
    assert "请补充" in page(app, w, "editor", f"/{type_name}/{name}").get_data(as_text=True)

    edit = dict(form_fields(ok(app, w, "editor", "package_show", id=name)), save="save")
    edit[col] = v["web1"]
    assert post(app, w, "editor", f"/{type_name}/edit/{name}",
                {k: v for k, v in edit.items() if isinstance(v, (str, list)) and k != "resources"}).status_code == 302
    assert post(app, w, "editor", f"/qingyang/items/{name}/submit", {"declaration": "true"}).status_code == 302
    for reviewer in reviewers:
        review_page = page(app, w, reviewer, f"/qingyang/review/{name}").get_data(as_text=True)
        assert v["web1"] in review_page
        assert post(app, w, reviewer, f"/qingyang/review/{name}", {"decision": "approve"}).status_code == 302
    body = page(app, w, None, f"/{type_name}/{name}").get_data(as_text=True)
    assert "已发布" in body and v["web1"] in body
    for label in ("发布单位", "审核单位", "发布时间"):
        assert label in body
    assert w.orgs[reviewers[-1]]["title"] in body

    # edit while published: the page keeps the published version; bulk approval from the queue
    edit[col] = v["web2"]
    assert post(app, w, "editor", f"/{type_name}/edit/{name}",
                {k: v for k, v in edit.items() if isinstance(v, (str, list)) and k != "resources"}).status_code == 302
    assert v["web2"] not in page(app, w, None, f"/{type_name}/{name}").get_data(as_text=True)
    assert "待发布的修订" in page(app, w, "editor", f"/{type_name}/{name}").get_data(as_text=True)
    submit = page(app, w, "editor", f"/qingyang/items/{name}/submit").get_data(as_text=True)
    assert v["web1"] in submit and v["web2"] in submit          # the diff: published vs revised
    post(app, w, "editor", f"/qingyang/items/{name}/submit", {"declaration": "true"})
    for reviewer in reviewers:
        post(app, w, reviewer, "/qingyang/review/bulk", {"ids": [name]})
    assert v["web2"] in page(app, w, None, f"/{type_name}/{name}").get_data(as_text=True)

    # adjust from the 依据 page when the type cites laws, else by amendment; then cancel
    lt = listdef.load_type(type_name)
    if lt.basis_fields:
        cited = "《保守国家秘密法》" if type_name == "shared_resource" else None
        shown = ok(app, w, None, "package_show", id=name)
        text = listdef.format_cell(lt.basis_fields[0], shown.get(lt.basis_fields[0].field_name))
        cited = cited or text.split("》")[0].lstrip("《") + "》"
        cited = cited.strip("《》")
        if not text:
            pytest.skip("example has no 依据 text")
        found = page(app, w, reviewers[0], f"/qingyang/adjust?q={cited}").get_data(as_text=True)
        assert title in found
        res = post(app, w, reviewers[0], "/qingyang/adjust", {"q": cited, "ids": [name], "action": "rebase",
                                                               "reason": "上位法修订", "basis": "《新修订的依据》"})
        assert res.status_code == 302, res.get_data(as_text=True)[-1500:]
        assert "《新修订的依据》" in page(app, w, None, f"/{type_name}/{name}").get_data(as_text=True)
    res = post(app, w, reviewers[0], "/qingyang/adjust", {"ids": [name], "action": "abolish", "reason": "网页取消",
                                                           "basis": "庆政发〔2026〕3号"})
    assert res.status_code == 302
    notices = page(app, w, None, "/qingyang/adjustments").get_data(as_text=True)
    assert "网页取消" in notices and "庆政发〔2026〕3号" in notices and title in notices
    history = page(app, w, None, f"/qingyang/items/{name}/history").get_data(as_text=True)
    assert "已取消" in page(app, w, None, f"/{type_name}/{name}").get_data(as_text=True) and "调整" in history
    assert "上一版本" in history and v["web2"] in history


# ---------------------------------------------------------------- separation of duties
def test_every_separation_of_duty_violation_is_refused(app, world):
    w = world
    power = ok(app, w, "dual", "package_create", **new_item("power_item", w))
    ok(app, w, "dual", "qingyang_item_submit", id=power["id"], declaration=True)
    assert "本人提交" in refused(app, w, "dual", "qingyang_item_review", id=power["id"], decision="approve")
    assert "不负责审核行政权力清单" in refused(app, w, "finance", "qingyang_item_review", id=power["id"], decision="approve")
    assert "不能跨辖区审核" in refused(app, w, "county_reform", "qingyang_item_review", id=power["id"], decision="approve")
    assert "审核人员" in refused(app, w, "reform_member", "qingyang_item_review", id=power["id"], decision="approve")
    assert "审核人员" in refused(app, w, "sysadmin", "qingyang_item_review", id=power["id"], decision="approve")
    assert "审核人员" in refused(app, w, "editor", "qingyang_item_review", id=power["id"], decision="approve")
    ok(app, w, "reform", "qingyang_item_review", id=power["id"], decision="approve")
    assert "等待其他单位会签" in refused(app, w, "reform", "qingyang_item_review", 409, id=power["id"], decision="approve")
    assert not visible(app, w, None, power)        # 法制办 has not co-signed
    # 法制办 returns it; after the fix, 审改办's earlier approval no longer counts
    ok(app, w, "legal", "qingyang_item_review", id=power["id"], decision="return", reason="缺少合法性审查意见")
    ok(app, w, "dual", "package_patch", id=power["id"], supervision="市审改办、市政府法制办监督;投诉电话 12345;已补充")
    ok(app, w, "dual", "qingyang_item_submit", id=power["id"], declaration=True)
    ok(app, w, "legal", "qingyang_item_review", id=power["id"], decision="approve")
    assert not visible(app, w, None, power)
    assert ok(app, w, "reform", "qingyang_review_queue")["items"][0]["waiting_for"] == [w.orgs["reform"]["title"]]
    ok(app, w, "reform", "qingyang_item_review", id=power["id"], decision="approve")
    assert visible(app, w, None, power)

    # county items go to the county's office, never the city's
    project = ok(app, w, "county_editor", "package_create", **new_item("poverty_project", w, "county_dept"))
    ok(app, w, "county_editor", "qingyang_item_submit", id=project["id"], declaration=True)
    assert "不能跨辖区审核" in refused(app, w, "poverty", "qingyang_item_review", id=project["id"], decision="approve")
    assert not visible(app, w, "poverty", project)
    ok(app, w, "county_poverty", "qingyang_item_review", id=project["id"], decision="approve")

    # only list types: the generic type exists for ckanext-dcat alone
    assert "不能创建通用数据集" in refused(app, w, "editor", "package_create", 409, name="generic-x", title="x",
                                   owner_org=w.orgs["dept"]["id"])
    # no way around review: not the sysadmin, not the visibility switches, not deletion
    draft = ok(app, w, "sysadmin", "package_create", **new_item("service_item", w))
    assert draft["private"] is True
    ok(app, w, "sysadmin", "package_patch", id=draft["id"], private=False, publish_state="published")
    assert not visible(app, w, None, draft)
    assert "须经审核" in refused(app, w, "dept_admin", "bulk_update_public", 409, org_id=w.orgs["dept"]["id"],
                                datasets=[draft["id"]])
    ok(app, w, "sysadmin", "package_patch", id=power["id"], title="系统管理员改的名称")
    assert ok(app, w, None, "package_show", id=power["id"])["title"] == power["title"]
    assert "不能删除" in refused(app, w, "sysadmin", "package_delete", 409, id=power["id"])
    assert "不能清除" in refused(app, w, "sysadmin", "dataset_purge", 409, id=power["id"])
    assert "不能删除" in refused(app, w, "dept_admin", "bulk_update_delete", 409, org_id=w.orgs["dept"]["id"],
                                datasets=[power["id"]])
    assert "设为私有" in refused(app, w, "dept_admin", "bulk_update_private", 409, org_id=w.orgs["dept"]["id"],
                                datasets=[power["id"]])
    assert "附件" in refused(app, w, "editor", "resource_create", 409, package_id=power["id"], name="附件",
                            url="https://example.gov.cn/a.pdf")
    assert visible(app, w, None, power)
    # adjustments come from the item's own reviewing office only; all items or none
    assert "审核范围" in refused(app, w, "finance", "qingyang_adjust", 409, ids=[power["id"]], action="abolish",
                                reason="r", basis="b")
    assert "审核范围" in refused(app, w, "reform", "qingyang_adjust", 409, ids=[power["id"], project["id"]],
                                action="abolish", reason="r", basis="b")
    assert ok(app, w, None, "package_show", id=power["id"])["publish_state"] == "published"
    # who published what: the department's admins, not its other members
    rows = ok(app, w, "dept_admin", "qingyang_publication_list", organization="city-dept")
    assert [(r["name"], r["submitter"]) for r in rows] == [(power["name"], "dual-姓名")]
    assert [(r["reviewer"], r["decision"]) for r in rows[0]["reviews"]] == [
        ("reform-姓名", "approve"), ("legal-姓名", "return"), ("legal-姓名", "approve"), ("reform-姓名", "approve")]
    refused(app, w, "editor", "qingyang_publication_list", organization="city-dept")
    assert "dual-姓名" in page(app, w, "dept_admin", "/qingyang/publications/city-dept").get_data(as_text=True)


# ---------------------------------------------------------------- non-classified gate
def _csv(text: str) -> bytes:
    return f"名称,说明\n第一行,{text}\n".encode("gb18030")


def _xlsx(text: str) -> bytes:
    import openpyxl

    book = openpyxl.Workbook()
    book.active.append(["名称", "说明"])
    book.active.append(["第一行", text])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _pdf(text: str) -> bytes:
    """A one-page PDF whose text layer says `text` (Identity-H codes = Unicode, with a ToUnicode map)."""
    codes = "".join(f"{ord(c):04X}" for c in text)
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Uni def "
            b"1 begincodespacerange <0000> <FFFF> endcodespacerange 1 beginbfrange <0000> <FFFF> <0000> "
            b"endbfrange endcmap CMapName currentdict /CMap defineresource pop end end")
    content = f"BT /F1 12 Tf 50 700 Td <{codes}> Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    out, offsets = b"%PDF-1.4\n", []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


FILES = {"csv": _csv, "txt": lambda t: f"说明:{t}\n".encode(), "xlsx": _xlsx, "pdf": _pdf}


def _attach(app, w, pkg, fmt: str, data: bytes, filename: str):
    res = app.post("/api/3/action/resource_create", headers={"Authorization": w.tokens["editor"]},
                   data={"package_id": pkg["id"], "name": filename, "format": fmt.upper(),
                         "upload": (io.BytesIO(data), filename)})
    assert res.status_code == 200, res.get_data(as_text=True)


@pytest.mark.parametrize("marker", [m for m in ("绝密", "机密", "秘密", "★", "内部资料", "涉密")])
def test_every_classification_marker_blocks_publishing(app, world, marker):
    w = world
    # in a field
    pkg = ok(app, w, "editor", "package_create", **new_item("service_item", w, title=f"不动产登记{marker}事项"))
    error = refused(app, w, "editor", "qingyang_item_submit", 409, id=pkg["id"], declaration=True)
    assert f"“事项名称”含有密级标志“{marker}”" in error
    assert ok(app, w, "editor", "package_show", id=pkg["id"])["publish_state"] == "draft"
    # in every kind of attached file
    for fmt, make in FILES.items():
        pkg = ok(app, w, "editor", "package_create", **new_item("service_item", w, title=f"附件检查{fmt}"))
        _attach(app, w, pkg, fmt, make(f"第{fmt}号文件 {marker}★ 仅供内部" if marker == "★" else f"文件{marker}内容"),
                f"材料.{fmt}")
        error = refused(app, w, "editor", "qingyang_item_submit", 409, id=pkg["id"], declaration=True)
        assert f"附件《材料.{fmt}》”含有密级标志“{marker}”" in error, (fmt, error)
    # a marker that reaches a pending revision through an attachment is refused at approval too
    clean = ok(app, w, "editor", "package_create", **new_item("service_item", w, title="干净的事项"))
    ok(app, w, "editor", "qingyang_item_submit", id=clean["id"], declaration=True)
    import ckan.lib.uploader as uploader

    ok(app, w, "service", "qingyang_item_review", id=clean["id"], decision="return", reason="补附件")
    _attach(app, w, clean, "txt", "干净".encode(), "说明.txt")
    ok(app, w, "editor", "qingyang_item_submit", id=clean["id"], declaration=True)
    res = ok(app, w, "editor", "package_show", id=clean["id"])["resources"][0]
    with open(uploader.get_resource_uploader(res).get_path(res["id"]), "wb") as f:   # changed behind the reviewer's back
        f.write(f"改写后{marker}".encode())
    error = refused(app, w, "service", "qingyang_item_review", 409, id=clean["id"], decision="approve")
    assert f"附件《说明.txt》”含有密级标志“{marker}”" in error
    assert not visible(app, w, None, clean)


def test_cited_titles_pass_and_unreadable_files_do_not(app, world):
    w = world
    pkg = ok(app, w, "editor", "package_create", **new_item(
        "shared_resource", w, share_type="none", open_type="closed", no_share_basis="《中华人民共和国保守国家秘密法》第九条"))
    ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)     # a cited law is not a marking
    scanned = ok(app, w, "editor", "package_create", **new_item("service_item", w, title="扫描件"))
    _attach(app, w, scanned, "pdf", _pdf(""), "扫描件.pdf")
    assert "无法确认不含密级标志" in refused(app, w, "editor", "qingyang_item_submit", 409, id=scanned["id"],
                                            declaration=True)


# ---------------------------------------------------------------- reviewer work
def test_the_queue_is_oldest_first_with_working_day_ages_and_overdue_flags(app, world):
    import ckan.model as model

    from ckanext.qingyang.deadlines import calendar
    from ckanext.qingyang.model import version

    w = world
    pkgs = [ok(app, w, "editor", "package_create", **new_item("special_fund", w, title=f"专项资金{i}"))
            for i in range(3)]
    ok(app, w, "editor", "qingyang_item_submit", ids=[p["id"] for p in pkgs], declaration=True)
    today = dt.date.today()
    cal = calendar()
    days_back = {pkgs[0]["id"]: 2, pkgs[1]["id"]: 10, pkgs[2]["id"]: 0}
    for pkg_id, back in days_back.items():       # submitted `back` calendar days ago
        model.Session.execute(version.update().where(version.c.package_id == pkg_id).values(
            submitted_at=dt.datetime.combine(today - dt.timedelta(days=back), dt.time(9))))
    model.Session.commit()
    queue = ok(app, w, "finance", "qingyang_review_queue")
    assert [i["id"] for i in queue["items"]] == [pkgs[1]["id"], pkgs[0]["id"], pkgs[2]["id"]]
    ages = [cal.between(today - dt.timedelta(days=days_back[i["id"]]), today) for i in queue["items"]]
    assert [i["age_working_days"] for i in queue["items"]] == ages
    assert [i["overdue"] for i in queue["items"]] == [a > 5 for a in ages] and queue["items"][0]["overdue"]
    assert "逾期" in page(app, w, "finance", "/qingyang/review").get_data(as_text=True)
    # the platform admin sees every office's overdue items; nobody else may
    overdue = ok(app, w, "egov", "qingyang_review_queue", all=True, overdue=True)
    assert [i["id"] for i in overdue["items"]] == [pkgs[1]["id"]]
    refused(app, w, "finance", "qingyang_review_queue", all=True, overdue=True)
    # bulk approval: each item gets its own review record; others' items are reported
    other = ok(app, w, "editor", "package_create", **new_item("service_item", w))
    ok(app, w, "editor", "qingyang_item_submit", id=other["id"], declaration=True)
    result = ok(app, w, "finance", "qingyang_item_review_bulk", ids=[p["name"] for p in pkgs] + [other["name"]],
                reason="批量审核")
    assert sorted(r["name"] for r in result["approved"]) == sorted(p["name"] for p in pkgs)
    assert list(result["errors"]) == [other["name"]]
    for pkg in pkgs:
        reviews = ok(app, w, None, "qingyang_item_history", id=pkg["id"])["versions"][0]["reviews"]
        assert [(r["decision"], r["reason"]) for r in reviews] == [("approve", "批量审核")]
    assert not visible(app, w, None, other)


def test_reviewers_find_items_by_their_legal_basis_and_rebase_them_all(app, world):
    w = world
    cites = ["《中华人民共和国城乡规划法》第三十七条", "《甘肃省城乡规划条例》第三十条"]
    items = []
    for i, (type_name, owner, editor) in enumerate((("power_item", "dept", "editor"),
                                                    ("approval_item", "dept", "editor"),
                                                    ("power_item", "county_dept", "county_editor"))):
        code = f"XK-{'621000' if owner == 'dept' else '621002'}-000{i}"
        extra = {"code": code} if type_name == "power_item" else {}
        pkg = ok(app, w, editor, "package_create", **new_item(type_name, w, owner, legal_basis=cites, **extra))
        ok(app, w, editor, "qingyang_item_submit", id=pkg["id"], declaration=True)
        for reviewer in (REVIEWERS[type_name] if owner == "dept" else ("county_reform",)):
            ok(app, w, reviewer, "qingyang_item_review", id=pkg["id"], decision="approve")
        items.append(pkg)
    found = ok(app, w, "reform", "qingyang_basis_search", q="《中华人民共和国城乡规划法》")
    by_name = {i["name"]: i for i in found["items"]}
    assert set(by_name) == {items[0]["name"], items[1]["name"]}     # the county's power item still awaits 法制办
    assert all(i["can_adjust"] and i["fields"] for i in found["items"])
    done = ok(app, w, "reform", "qingyang_adjust", ids=list(by_name), action="rebase", cited="城乡规划法",
              basis="《中华人民共和国城乡规划法(2019年修正)》第三十七条", reason="法律修正")
    assert len(done["items"]) == 2
    for pkg in items[:2]:
        public = ok(app, w, None, "package_show", id=pkg["id"])
        assert public["legal_basis"] == ["《中华人民共和国城乡规划法(2019年修正)》第三十七条", "《甘肃省城乡规划条例》第三十条"]
        assert public["publish_state"] == "adjusted"
    power = ok(app, w, None, "package_show", id=items[0]["id"])
    assert (power["status"], power["adjustment_reason"]) == ("adjusted", "法律修正")
    page_text = page(app, w, None, "/qingyang/adjustments").get_data(as_text=True)
    assert "变更依据" in page_text and "2019年修正" in page_text


# ---------------------------------------------------------------- imports are drafts too
def test_imported_items_are_drafts_and_reimports_of_published_ones_wait_for_review(app, world):
    from ckanext.qingyang.tests.factories import example_row

    w = world
    row = example_row("service_item")
    report = ok(app, w, "editor", "qingyang_list_import", organization="city-dept", type="service_item", rows=[row])
    name = report["names"][0]
    assert ok(app, w, "editor", "package_show", id=name)["publish_state"] == "draft"
    assert not visible(app, w, None, {"id": name})
    assert ok(app, w, None, "qingyang_list_export", organization="city-dept", type="service_item")["count"] == 0
    assert ok(app, w, "editor", "qingyang_list_export", organization="city-dept", type="service_item",
              drafts=True)["count"] == 1
    # the department submits what it loaded from its 待提交审核 page, many at once; its page links there
    assert "/qingyang/drafts/city-dept" in page(app, w, "editor", "/organization/city-dept").get_data(as_text=True)
    assert "/qingyang/drafts/city-dept" not in page(app, w, None, "/organization/city-dept").get_data(as_text=True)
    assert "/qingyang/review" in page(app, w, "service", "/organization/city-service").get_data(as_text=True)
    drafts = page(app, w, "editor", "/qingyang/drafts/city-dept").get_data(as_text=True)
    assert f'value="{name}"' in drafts and workflow.DECLARATION in drafts
    assert "提交审核须确认声明" in post(app, w, "editor", "/qingyang/drafts/city-dept", {"ids": [name]}).get_data(as_text=True)
    assert post(app, w, "editor", "/qingyang/drafts/city-dept", {"ids": [name], "declaration": "true"}).status_code == 302
    assert ok(app, w, "editor", "package_show", id=name)["publish_state"] == "pending"
    assert page(app, w, "county_editor", "/qingyang/drafts/city-dept").status_code == 403
    ok(app, w, "service", "qingyang_item_review", id=name, decision="approve")
    label = listdef.load_type("service_item").column("service_content").label
    ok(app, w, "editor", "qingyang_list_import", organization="city-dept", type="service_item",
       rows=[dict(row, **{label: "导入的新内容"})])
    assert ok(app, w, None, "package_show", id=name)["service_content"] != "导入的新内容"
    assert ok(app, w, "editor", "package_show", id=name)["publication"]["open_version"]["state"] == "draft"
    assert "修订" in page(app, w, "editor", "/qingyang/drafts/city-dept").get_data(as_text=True)


# ---------------------------------------------------------------- adjustments are one transaction
def test_an_adjustment_of_many_items_is_all_or_nothing(app, world):
    import ckan.model as model
    import sqlalchemy as sa

    w = world
    items = []
    for i in range(3):
        pkg = ok(app, w, "editor", "package_create", **new_item("approval_item", w, title=f"建设工程规划许可{i}"))
        ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)
        approve_all(app, w, "approval_item", pkg)
        items.append(pkg)
    adjust = dict(ids=[p["id"] for p in items], action="amend", changes={"promised_days": "3"},
                  reason="压缩承诺时限", basis="市政府常务会议决定")
    announced = len(ok(app, w, None, "qingyang_adjustment_list"))
    # a real database failure while the third item is written (after every check passed)
    model.Session.execute(sa.text(f"""
        CREATE FUNCTION qy_test_fail() RETURNS trigger AS $$ BEGIN
          IF NEW.id = '{items[2]["id"]}' THEN RAISE EXCEPTION 'disk full (test)'; END IF; RETURN NEW;
        END $$ LANGUAGE plpgsql;
        CREATE TRIGGER qy_test_fail BEFORE UPDATE ON package FOR EACH ROW EXECUTE FUNCTION qy_test_fail();"""))
    model.Session.commit()
    try:
        status, _ = call(app, w, "reform", "qingyang_adjust", **adjust)
        assert status == 500
    finally:
        model.Session.execute(sa.text("DROP TRIGGER qy_test_fail ON package; DROP FUNCTION qy_test_fail();"))
        model.Session.commit()
    for pkg in items:        # none of them changed, none of them has an adjustment version, no announcement
        public = ok(app, w, None, "package_show", id=pkg["id"])
        assert (public["publish_state"], public["promised_days"]) == ("published", pkg["promised_days"])
        assert [v["change"] for v in ok(app, w, "editor", "qingyang_item_history", id=pkg["id"])["versions"]] == \
            ["create"]
    assert len(ok(app, w, None, "qingyang_adjustment_list")) == announced
    found = ok(app, w, None, "package_search", fq="+dataset_type:approval_item +promised_days:3", rows=0)
    assert found["count"] == 0

    done = ok(app, w, "reform", "qingyang_adjust", **adjust)
    assert len(done["items"]) == 3 and len(ok(app, w, None, "qingyang_adjustment_list")) == announced + 1
    for pkg in items:
        public = ok(app, w, None, "package_show", id=pkg["id"])
        assert (public["publish_state"], public["promised_days"]) == ("adjusted", "3")
        changes = ok(app, w, "editor", "package_activity_list", id=pkg["id"])
        assert changes[0]["activity_type"] == "changed package"
    assert ok(app, w, None, "package_search", q="建设工程规划许可", fq="+publish_state:adjusted", rows=0)["count"] == 3


# ---------------------------------------------------------------- a cancelled item comes back only through review
def test_a_cancelled_item_is_restored_only_by_a_reviewed_restoration_with_its_reason(app, world):
    w = world
    pkg = ok(app, w, "editor", "package_create", **new_item("service_item", w))
    ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)
    approve_all(app, w, "service_item", pkg)
    ok(app, w, "service", "qingyang_adjust", ids=[pkg["id"]], action="abolish", reason="职能划转",
       basis="市委编办文件")
    cancelled = ok(app, w, "editor", "package_show", id=pkg["id"])
    assert (cancelled["publish_state"], cancelled["list_status"]) == ("cancelled", "withdrawn")

    edited = dict(cancelled, service_content="取消后又改的内容")
    assert "如需恢复" in refused(app, w, "editor", "package_update", 409, **edited)
    back = dict(cancelled, list_status="current")
    assert "restore_reason" in refused(app, w, "editor", "package_update", 409, **back)
    ok(app, w, "editor", "package_update", **back, restore_reason="职能划回本部门")
    shown = ok(app, w, None, "package_show", id=pkg["id"])
    assert (shown["publish_state"], shown["list_status"]) == ("cancelled", "withdrawn")   # public: still cancelled
    assert "restore_reason" not in shown
    ok(app, w, "editor", "qingyang_item_submit", id=pkg["id"], declaration=True)
    queue = ok(app, w, "service", "qingyang_review_queue")["items"]
    assert [(i["name"], i["change"]) for i in queue] == [(pkg["name"], "restore")]
    approve_all(app, w, "service_item", pkg)
    restored = ok(app, w, None, "package_show", id=pkg["id"])
    assert (restored["publish_state"], restored["list_status"]) == ("published", "current")
    last = ok(app, w, "editor", "qingyang_item_history", id=pkg["id"])["versions"][-1]
    assert (last["change_label"], last["reason"], last["state"]) == ("恢复", "职能划回本部门", "published")
    assert "恢复" in page(app, w, None, f"/qingyang/items/{pkg['name']}/history").get_data(as_text=True)

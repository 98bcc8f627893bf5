"""Who sees what: every visibility class x every actor x every path, against the real
CKAN, PostgreSQL, DataStore and Solr of test.ini; every call made with the actor's
own API token (or none), so tokens are shown to carry exactly their user's rights."""
from __future__ import annotations

import collections
import io
import json
from dataclasses import dataclass, field

import pytest
from ckan.tests import factories, helpers

from ckanext.qingyang.tests.factories import department, example_item, published

# visibility class -> (共享类型, 开放属性)
CLASSES = {
    "open": ("unconditional", "open"),
    "opencu": ("unconditional", "conditional"),
    "opencc": ("conditional", "conditional"),
    "govu": ("unconditional", "closed"),
    "govc": ("conditional", "closed"),
    "none": ("none", "closed"),
}
ACTORS = ("anonymous", "registered", "citizen_granted", "government", "grantee", "owner_member",
          "owner_admin", "platform_admin", "sysadmin")
OWNERS = ("owner_member", "owner_admin", "sysadmin")
GOVERNMENT = ("government", "grantee", "platform_admin")


def may_see(actor: str, cls: str) -> bool:
    if actor in OWNERS or cls in ("open", "opencu", "opencc"):
        return True
    if cls in ("govu", "govc"):
        return actor in GOVERNMENT
    return actor == "platform_admin"


def may_get_data(actor: str, cls: str) -> bool:
    if actor in OWNERS or cls == "open":
        return True
    return actor in {
        "opencu": GOVERNMENT + ("citizen_granted",),
        "opencc": ("grantee", "citizen_granted"),
        "govu": GOVERNMENT,
        "govc": ("grantee",),
        "none": ("platform_admin",),
    }[cls]


def secret_url(cls: str) -> str:
    return f"https://files.example.gov.cn/secret-{cls}/data.csv"


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)       # class -> package
    upload: dict[str, dict] = field(default_factory=dict)      # class -> uploaded file resource
    link: dict[str, dict] = field(default_factory=dict)        # class -> link resource
    table: dict[str, dict] = field(default_factory=dict)       # class -> datastore resource
    grants: list[dict] = field(default_factory=list)


def call(app, world: World, actor: str, action: str, **params):
    """POST an action as the actor; (status, result or error)."""
    headers = {"Authorization": world.tokens[actor]} if actor in world.tokens else {}
    res = app.post(f"/api/3/action/{action}", json=params, headers=headers)
    body = res.get_json(silent=True)
    body = body if isinstance(body, dict) else {"error": body}
    return res.status_code, body.get("result", body.get("error"))


def ok(app, world, actor, action, **params):
    status, result = call(app, world, actor, action, **params)
    assert status == 200, (actor, action, result)
    return result


def get(app, world, actor, url, **kw):
    headers = {"Authorization": world.tokens[actor]} if actor in world.tokens else {}
    return app.get(url, headers=headers, **kw)


def _user(world, role, **kw):
    user = factories.User(**kw)
    world.users[role] = user
    world.tokens[role] = helpers.call_action("api_token_create", {"ignore_auth": True, "user": user["name"]},
                                             user=user["name"], name="test")["token"]
    return user


def build_world(app) -> World:
    w = World()
    city = department(kind="government", name="city-gov", title="庆阳市人民政府")
    w.orgs["owner"] = department(name="owner-dept", title="提供部门", groups=[{"name": city["name"], "capacity": "parent"}])
    w.orgs["other"] = department(name="other-dept", title="其他部门", groups=[{"name": city["name"], "capacity": "parent"}])
    w.orgs["grantee"] = department(name="grantee-dept", title="申请部门", groups=[{"name": city["name"], "capacity": "parent"}])
    w.orgs["egov"] = department(name="egov-office", title="市电子政务办", kind="office", roles="egov_office platform_admin",
                                groups=[{"name": city["name"], "capacity": "parent"}])
    w.orgs["service"] = department(name="service-center", title="市政务服务中心", kind="office", roles="service_center",
                                   groups=[{"name": city["name"], "capacity": "parent"}])
    for role in ("registered", "citizen_granted"):
        _user(w, role)
    for reviewer, org in (("egov_reviewer", "egov"), ("service_reviewer", "service")):   # they review 共享目录 changes
        helpers.call_action("organization_member_create", {"ignore_auth": True}, id=w.orgs[org]["id"],
                            username=_user(w, reviewer)["name"], role="editor")
    for role, org, capacity in (("government", "other", "editor"), ("grantee", "grantee", "editor"),
                                ("owner_member", "owner", "member"), ("owner_admin", "owner", "admin"),
                                ("platform_admin", "egov", "member")):
        user = _user(w, role)
        helpers.call_action("organization_member_create", {"ignore_auth": True}, id=w.orgs[org]["id"],
                            username=user["name"], role=capacity)
    _user(w, "sysadmin", sysadmin=True)
    for i, (cls, (share, open_)) in enumerate(CLASSES.items(), 1):
        item = example_item("shared_resource", owner_org=w.orgs["owner"]["id"], share_type=share, open_type=open_,
                            resource_code=f"621000-00099/{i:05d}", title=f"共享测试资源{cls}",
                            notes=f"摘要 qytoken{cls} 仅供测试",
                            share_condition="仅限监管使用" if share == "conditional" else "",
                            no_share_basis="《保守国家秘密法》" if share == "none" else "")
        pkg = ok(app, w, "owner_admin", "package_create", **item)
        w.items[cls] = pkg
        w.link[cls] = ok(app, w, "owner_admin", "resource_create", package_id=pkg["id"], name="外部链接",
                         url=secret_url(cls), format="CSV")
        res = app.post("/api/3/action/resource_create", headers={"Authorization": w.tokens["owner_admin"]},
                       data={"package_id": pkg["id"], "name": "上传文件",
                             "upload": (io.BytesIO(f"secret-file-{cls}\n".encode()), "data.csv")})
        assert res.status_code == 200, res.get_json()
        w.upload[cls] = res.get_json()["result"]
        w.table[cls] = ok(app, w, "owner_admin", "datastore_create", force=True,
                          resource={"package_id": pkg["id"], "name": "数据表"},
                          fields=[{"id": "value", "type": "text"}],
                          records=[{"value": f"secret-row-{cls}"}])
    published(*w.items.values())     # seeded: this file tests the sharing rules, not review
    # grants: the grantee department for the 有条件共享 ones, the citizen for the 有条件开放 ones
    for cls, requester, org in (("opencc", "grantee", "grantee-dept"), ("govc", "grantee", "grantee-dept"),
                                ("opencu", "citizen_granted", None), ("opencc", "citizen_granted", None)):
        req = ok(app, w, requester, "qingyang_share_request_create", id=w.items[cls]["id"],
                 **({"organization": org} if org else {}), purpose="监管比对", basis="法定职责",
                 info_items=["统一社会信用代码"], period_end="2099-12-31")
        w.grants.append(ok(app, w, "owner_admin", "qingyang_share_request_decide", id=req["id"],
                           decision="approve", reason="用途相符"))
    return w


@pytest.fixture()
def world(app, clean_db, clean_index):
    return build_world(app)


def _visible(actor):
    return {cls for cls in CLASSES if may_see(actor, cls)}


# ---------------------------------------------------------------- search, lists, organizations
def test_search_counts_facets_and_lists_show_each_actor_only_what_it_may_see(app, world):
    names = {w["name"]: cls for cls, w in world.items.items()}
    problems = []
    for actor in ACTORS:
        visible = _visible(actor)
        r = ok(app, world, actor, "package_search", fq="dataset_type:shared_resource", rows=100,
               **{"facet.field": ["open_type", "share_type", "organization"]})
        got = {names[p["name"]] for p in r["results"]}
        expected_open = collections.Counter(CLASSES[c][1] for c in visible)
        facet_open = {i["name"]: i["count"] for i in r["search_facets"]["open_type"]["items"]}
        facet_org = {i["name"]: i["count"] for i in r["search_facets"]["organization"]["items"]}
        if got != visible or r["count"] != len(visible) or facet_open != dict(expected_open) \
                or facet_org != {"owner-dept": len(visible)}:
            problems.append((actor, "package_search", sorted(got), r["count"], facet_open, facet_org))
        for cls in CLASSES:
            n = ok(app, world, actor, "package_search", q=f"qytoken{cls}")["count"]
            if n != (1 if cls in visible else 0):
                problems.append((actor, "q over notes", cls, n))
        auto = {a["name"] for a in ok(app, world, actor, "package_autocomplete", q="共享测试资源")}
        if {names[n] for n in auto if n in names} != visible:
            problems.append((actor, "package_autocomplete", sorted(auto)))
        listed = set(ok(app, world, actor, "package_list")) & set(names)
        if {names[n] for n in listed} != visible:
            problems.append((actor, "package_list", sorted(listed)))
        current = {p["name"] for p in ok(app, world, actor, "current_package_list_with_resources", limit=100)}
        if {names[n] for n in current if n in names} != visible:
            problems.append((actor, "current_package_list_with_resources", sorted(current)))
        org = ok(app, world, actor, "organization_show", id="owner-dept", include_datasets=True)
        if org["package_count"] != len(visible) or {names[p["name"]] for p in org["packages"]} != visible:
            problems.append((actor, "organization_show", org["package_count"]))
        members = {m[0] for m in ok(app, world, actor, "member_list", id="owner-dept", object_type="package")}
        if {c for c, p in world.items.items() if p["id"] in members} != visible:
            problems.append((actor, "member_list", len(members)))
        page = get(app, world, actor, "/dataset/?q=共享测试资源").get_data(as_text=True)
        if {c for c in CLASSES if f"共享测试资源{c}<" in page or f"共享测试资源{c}\"" in page} - visible:
            problems.append((actor, "HTML search page"))
        org_page = get(app, world, actor, "/organization/owner-dept").get_data(as_text=True)
        if any(f"共享测试资源{c}" in org_page for c in set(CLASSES) - visible):
            problems.append((actor, "HTML organization page"))
    assert problems == [], "\n".join(map(str, problems))


# ---------------------------------------------------------------- one item's metadata
def test_show_paths_answer_not_found_for_hidden_items(app, world):
    problems = []
    for actor in ACTORS:
        for cls, pkg in world.items.items():
            seen = may_see(actor, cls)
            status, result = call(app, world, actor, "package_show", id=pkg["name"])
            if (status == 200) != seen or (not seen and status != 404):
                problems.append((actor, cls, "package_show", status))
            status, _ = call(app, world, actor, "resource_show", id=world.link[cls]["id"])
            if (status == 200) != seen or (not seen and status != 404):
                problems.append((actor, cls, "resource_show", status))
            status, _ = call(app, world, actor, "package_activity_list", id=pkg["id"])
            if (status == 200) != seen or (not seen and status != 404):
                problems.append((actor, cls, "package_activity_list", status))
            page = get(app, world, actor, f"/dataset/{pkg['name']}")
            if (page.status_code == 200) != seen:
                problems.append((actor, cls, "HTML dataset page", page.status_code))
            rdf = get(app, world, actor, f"/dataset/{pkg['name']}.jsonld")
            if (rdf.status_code == 200) != seen or (not seen and f"qytoken{cls}" in rdf.get_data(as_text=True)):
                problems.append((actor, cls, "DCAT dataset", rdf.status_code))
    assert problems == [], "\n".join(map(str, problems))


def test_activity_streams_and_the_dcat_catalog_leave_out_hidden_items(app, world):
    problems = []
    for actor in ACTORS:
        visible = _visible(actor)
        recent = ok(app, world, actor, "recently_changed_packages_activity_list", limit=100)
        shown = {a["object_id"] for a in recent}
        if {c for c, p in world.items.items() if p["id"] in shown} != visible:
            problems.append((actor, "recently_changed_packages_activity_list", len(shown)))
        org_stream = ok(app, world, actor, "organization_activity_list", id="owner-dept", limit=100)
        shown = {a["object_id"] for a in org_stream}
        if {c for c, p in world.items.items() if p["id"] in shown} - visible:
            problems.append((actor, "organization_activity_list"))
        if actor not in OWNERS:  # past versions and diffs are for the editors only
            act = ok(app, world, "sysadmin", "package_activity_list", id=world.items["open"]["id"])[0]
            for action in ("activity_data_show", "activity_diff"):
                if call(app, world, actor, action, id=act["id"], object_type="package")[0] == 200:
                    problems.append((actor, action))
        catalog = get(app, world, actor, "/catalog.jsonld").get_data(as_text=True)
        if {c for c in CLASSES if f"共享测试资源{c}" in catalog} != visible:
            problems.append((actor, "DCAT catalog"))
    assert problems == [], "\n".join(map(str, problems))


def test_a_resource_made_less_open_disappears_from_old_activity(app, world):
    pkg = world.items["open"]
    assert pkg["id"] in {a["object_id"] for a in ok(app, world, "anonymous",
                                                     "recently_changed_packages_activity_list", limit=100)}
    ok(app, world, "owner_admin", "package_patch", id=pkg["id"], open_type="closed")
    ok(app, world, "owner_admin", "qingyang_item_submit", id=pkg["id"], declaration=True)
    assert call(app, world, "anonymous", "package_show", id=pkg["id"])[0] == 200   # until the change is approved
    for reviewer in ("egov_reviewer", "service_reviewer"):
        ok(app, world, reviewer, "qingyang_item_review", id=pkg["id"], decision="approve")
    recent = ok(app, world, "anonymous", "recently_changed_packages_activity_list", limit=100)
    assert pkg["id"] not in {a["object_id"] for a in recent}
    assert call(app, world, "anonymous", "package_show", id=pkg["id"])[0] == 404


# ---------------------------------------------------------------- the data
def test_data_paths_serve_exactly_the_allowed_actors(app, world):
    problems = []
    for actor in ACTORS:
        for cls, pkg in world.items.items():
            seen, data = may_see(actor, cls), may_get_data(actor, cls)
            up = world.upload[cls]
            res = get(app, world, actor, f"/dataset/{pkg['id']}/resource/{up['id']}/download/data.csv")
            got = res.status_code == 200 and f"secret-file-{cls}" in res.get_data(as_text=True)
            if got != data or (not data and f"secret-file-{cls}" in res.get_data(as_text=True)):
                problems.append((actor, cls, "upload download", res.status_code))
            res = get(app, world, actor, f"/dataset/{pkg['id']}/resource/{world.link[cls]['id']}/download",
                      follow_redirects=False)
            if (res.status_code == 302 and res.headers["Location"] == secret_url(cls)) != data:
                problems.append((actor, cls, "link download", res.status_code))
            status, result = call(app, world, actor, "datastore_search", resource_id=world.table[cls]["resource_id"])
            if (status == 200) != data or (status == 200 and result["records"][0]["value"] != f"secret-row-{cls}"):
                problems.append((actor, cls, "datastore_search", status))
            if not seen and status != 404:
                problems.append((actor, cls, "datastore_search on a hidden item", status))
            status, _ = call(app, world, actor, "datastore_info", id=world.table[cls]["resource_id"])
            if (status == 200) != data:
                problems.append((actor, cls, "datastore_info", status))
            dump = get(app, world, actor, f"/datastore/dump/{world.table[cls]['resource_id']}")
            if (f"secret-row-{cls}" in dump.get_data(as_text=True)) != data:
                problems.append((actor, cls, "datastore dump", dump.status_code))
            by_url = ok(app, world, actor, "resource_search", query=f"url:{secret_url(cls)}")
            if by_url["count"] != (1 if data else 0):
                problems.append((actor, cls, "resource_search over the link", by_url["count"]))
            by_name = ok(app, world, actor, "resource_search", query="name:外部链接")
            shown = [r for r in by_name["results"] if r["package_id"] == pkg["id"]]
            if len(shown) != (1 if seen else 0) or (shown and (shown[0]["url"] == secret_url(cls)) != data):
                problems.append((actor, cls, "resource_search by name", len(shown)))
            # metadata the actor may see never carries the outside link unless the data is theirs
            if seen:
                shown = ok(app, world, actor, "package_show", id=pkg["id"])
                found = json.dumps(ok(app, world, actor, "package_search", q=f"qytoken{cls}")["results"])
                page = get(app, world, actor, f"/dataset/{pkg['id']}/resource/{world.link[cls]['id']}")
                for where, text in (("package_show", json.dumps(shown)), ("package_search", found),
                                    ("HTML resource page", page.get_data(as_text=True))):
                    if secret_url(cls) in text and not data:
                        problems.append((actor, cls, f"{where} shows the outside link"))
                if secret_url(cls) not in json.dumps(shown) and data:
                    problems.append((actor, cls, "package_show hides the link from an allowed actor"))
    assert problems == [], "\n".join(map(str, problems))


def test_sql_search_is_not_offered(app, world):
    for actor in ("anonymous", "government", "owner_admin"):
        status, _ = call(app, world, actor, "datastore_search_sql",
                         sql=f'SELECT * FROM "{world.table["none"]["resource_id"]}"')
        assert status in (400, 403, 404), (actor, status)


# ---------------------------------------------------------------- a grant's life
def _audit(app, world, actor="owner_admin", **params):
    return ok(app, world, actor, "qingyang_audit_list", organization="owner-dept", **params)


def test_a_grant_from_request_to_expiry_with_its_audit_rows(app, world):
    import datetime as dt

    import ckan.model as model

    from ckanext.qingyang.model import share_request

    pkg, table = world.items["govc"], world.table["govc"]["resource_id"]
    # another department: sees the resource, cannot read its data
    assert call(app, world, "government", "datastore_search", resource_id=table)[0] == 403
    before = len(_audit(app, world))
    req = ok(app, world, "government", "qingyang_share_request_create", id=pkg["id"], organization="other-dept",
             purpose="企业信用监管比对", basis="《企业信息公示暂行条例》第十六条",
             info_items="统一社会信用代码", period_end=(dt.date.today() + dt.timedelta(days=30)).isoformat())
    assert req["state"] == "pending" and req["requester_org_name"] == "other-dept"
    assert dt.date.fromisoformat(req["due_date"]) > dt.date.today()
    owner_notices = ok(app, world, "owner_admin", "qingyang_notice_list", unread=True)
    assert any(pkg["title"] in n["subject"] and "企业信用监管比对" in n["body"] for n in owner_notices)
    # undecided: still no data; the requester cannot decide its own request
    assert call(app, world, "government", "datastore_search", resource_id=table)[0] == 403
    assert call(app, world, "government", "qingyang_share_request_decide", id=req["id"], decision="approve",
                reason="自批")[0] == 403
    assert call(app, world, "owner_admin", "qingyang_share_request_decide", id=req["id"], decision="approve",
                reason="")[0] == 409  # a reason is required
    granted = ok(app, world, "owner_admin", "qingyang_share_request_decide", id=req["id"], decision="approve",
                 reason="用途与依据相符")
    assert granted["state"] == "approved"
    assert any("已同意" in n["subject"] for n in ok(app, world, "government", "qingyang_notice_list"))
    assert [g["id"] for g in ok(app, world, "government", "qingyang_grant_list")] == [req["id"]]
    # access under the grant, each one audited with the grant, the user and the department
    assert ok(app, world, "government", "datastore_search", resource_id=table)["records"][0]["value"] == "secret-row-govc"
    res = get(app, world, "government", f"/dataset/{pkg['id']}/resource/{world.upload['govc']['id']}/download/data.csv")
    assert res.status_code == 200 and "secret-file-govc" in res.get_data(as_text=True)
    rows = _audit(app, world)[: len(_audit(app, world)) - before]
    mine = [r for r in rows if r["user_name"] == world.users["government"]["name"] and r["package_id"] == pkg["id"]]
    assert {r["access"] for r in mine} >= {"show", "datastore", "download"}
    for r in mine:
        if r["access"] in ("datastore", "download"):
            assert r["grant_id"] == req["id"] and r["user_orgs"] == "other-dept" and r["client_addr"]
            assert r["owner_org"] == world.orgs["owner"]["id"]
    # the owner's own reads are not accesses by an outsider
    n = len(_audit(app, world))
    ok(app, world, "owner_member", "datastore_search", resource_id=table)
    assert len(_audit(app, world)) == n
    # expiry: the period ended yesterday
    model.Session.execute(share_request.update().where(share_request.c.id == req["id"]).values(
        period_end=dt.date.today() - dt.timedelta(days=1)))
    model.Session.commit()
    assert ok(app, world, "government", "qingyang_share_request_show", id=req["id"])["state"] == "expired"
    assert call(app, world, "government", "datastore_search", resource_id=table)[0] == 403
    # a new request, refused with a reason
    again = ok(app, world, "government", "qingyang_share_request_create", id=pkg["id"], organization="other-dept",
               purpose="再次申请", basis="同上", info_items=["统一社会信用代码"], period_end="2099-01-01")
    refused = ok(app, world, "owner_admin", "qingyang_share_request_decide", id=again["id"], decision="refuse",
                 reason="用途超出共享条件")
    assert refused["state"] == "refused" and refused["decision_reason"] == "用途超出共享条件"
    assert any("用途超出共享条件" in n["body"] for n in ok(app, world, "government", "qingyang_notice_list"))
    assert call(app, world, "government", "datastore_search", resource_id=table)[0] == 403
    assert call(app, world, "owner_admin", "qingyang_share_request_decide", id=again["id"], decision="approve",
                reason="改变主意")[0] == 409  # answered once
    # the grantee department's grant from the fixture, revoked
    grant = next(g for g in world.grants if g["package_id"] == pkg["id"])
    assert call(app, world, "grantee", "datastore_search", resource_id=table)[0] == 200
    ok(app, world, "owner_admin", "qingyang_share_request_revoke", id=grant["id"], reason="发现转作他用")
    assert call(app, world, "grantee", "datastore_search", resource_id=table)[0] == 403
    # who reads the log: the owner and the platform admin, not another department
    assert call(app, world, "government", "qingyang_audit_list", organization="owner-dept")[0] == 403
    assert any(r["package_id"] == pkg["id"] for r in ok(app, world, "platform_admin", "qingyang_audit_list"))
    csv_page = get(app, world, "owner_admin", "/qingyang/audit?organization=owner-dept&format=csv")
    text = csv_page.get_data().decode("utf-8-sig")
    assert csv_page.status_code == 200 and text.startswith("时间,用户,所在部门,访问方式")
    assert world.users["government"]["name"] in text and req["id"] in text


def test_share_requests_name_the_field_that_is_wrong(app, world):
    pkg = world.items["govc"]
    base = dict(id=pkg["id"], organization="other-dept", purpose="监管", basis="职责",
                info_items=["统一社会信用代码"], period_end="2099-01-01")
    cases = [({"purpose": ""}, "purpose", "用途:必填"),
             ({"info_items": ["不存在的项"]}, "info_items", "“不存在的项”不是该信息资源的信息项"),
             ({"period_end": "2001-01-01"}, "period_end", "不能早于"),
             ({"period_end": "明年"}, "period_end", "不是有效日期")]
    for change, field_name, message in cases:
        status, error = call(app, world, "government", "qingyang_share_request_create", **{**base, **change})
        assert status == 409 and message in error[field_name][0], (change, error)
    # a department can only ask in its own name, and open data needs no request
    assert call(app, world, "government", "qingyang_share_request_create", **{**base, "organization": "grantee-dept"})[0] == 403
    status, error = call(app, world, "government", "qingyang_share_request_create", **{**base, "id": world.items["open"]["id"]})
    assert status == 409 and "不受理" in error["id"][0]
    assert call(app, world, "anonymous", "qingyang_share_request_create", **base)[0] == 403


def test_late_answers_are_flagged_for_the_platform_admin(app, world):
    import datetime as dt

    import ckan.model as model

    from ckanext.qingyang.model import share_request

    req = ok(app, world, "government", "qingyang_share_request_create", id=world.items["govc"]["id"],
             organization="other-dept", purpose="监管", basis="职责", info_items=["统一社会信用代码"],
             period_end="2099-01-01")
    assert req["state"] == "pending"
    model.Session.execute(share_request.update().where(share_request.c.id == req["id"]).values(
        created=dt.datetime.utcnow() - dt.timedelta(days=14), due_date=dt.date.today() - dt.timedelta(days=1)))
    model.Session.commit()
    overdue = ok(app, world, "platform_admin", "qingyang_share_request_list", overdue=True)
    assert [(r["id"], r["state"], r["state_label"]) for r in overdue] == [(req["id"], "overdue", "逾期未答复")]
    assert overdue[0]["age_working_days"] >= 8
    assert call(app, world, "government", "qingyang_share_request_list", overdue=True)[0] == 403
    page = get(app, world, "platform_admin", "/qingyang/share-requests").get_data(as_text=True)
    assert "逾期未答复" in page and world.items["govc"]["title"] in page


def test_the_owner_answers_a_request_from_the_web_page(app, world):
    req = ok(app, world, "government", "qingyang_share_request_create", id=world.items["govc"]["id"],
             organization="other-dept", purpose="网页答复测试", basis="职责", info_items=["统一社会信用代码"],
             period_end="2099-01-01")
    page = get(app, world, "owner_admin", "/qingyang/share-requests").get_data(as_text=True)
    assert "网页答复测试" in page and f"/qingyang/share-requests/{req['id']}/approve" in page
    # the resource page tells each reader how to get the data
    opencc = world.items["opencc"]["name"]
    assert "申请使用" in get(app, world, "registered", f"/dataset/{opencc}").get_data(as_text=True)
    assert "请登录后提交开放申请" in get(app, world, "anonymous", f"/dataset/{opencc}").get_data(as_text=True)
    assert "您可以获取该信息资源的数据" in get(app, world, "grantee", f"/dataset/{opencc}").get_data(as_text=True)
    form = get(app, world, "registered", f"/qingyang/share-requests/new/{opencc}").get_data(as_text=True)
    assert "以个人名义(开放申请)" in form and 'value="统一社会信用代码"' in form
    res = app.post(f"/qingyang/share-requests/{req['id']}/approve", data={"reason": "同意"},
                   headers={"Authorization": world.tokens["owner_admin"]})
    assert res.status_code == 200
    assert ok(app, world, "government", "qingyang_share_request_show", id=req["id"])["state"] == "approved"


# ---------------------------------------------------------------- the audit log cannot be rewritten
def test_the_audit_log_refuses_rewrites_and_its_chain_shows_tampering(app, world, fresh_access_log):
    import ckan.model as model
    import sqlalchemy as sa

    call(app, world, "government", "package_show", id=world.items["govu"]["id"])
    ok(app, world, "government", "package_search", q="qytokengovu")
    ok(app, world, "government", "qingyang_list_export", organization="owner-dept", type="shared_resource")
    kinds = {r["access"] for r in _audit(app, world) if r["user_name"] == world.users["government"]["name"]}
    assert kinds == {"show", "search", "export"}
    assert ok(app, world, "platform_admin", "qingyang_audit_verify")["intact"]
    for statement in ("UPDATE qingyang_access_log SET user_name = 'someone-else'",
                      "DELETE FROM qingyang_access_log", "TRUNCATE qingyang_access_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"):
            with model.meta.engine.begin() as conn:
                conn.execute(sa.text(statement))
    assert call(app, world, "government", "qingyang_audit_verify")[0] == 403
    # someone who owns the table switches the guard off and edits a row: the chain shows it
    with model.meta.engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE qingyang_access_log DISABLE TRIGGER qingyang_access_log_no_rewrite"))
        seq = conn.execute(sa.text("SELECT min(seq) FROM qingyang_access_log")).scalar()
        conn.execute(sa.text("UPDATE qingyang_access_log SET user_name = 'someone-else' WHERE seq = :s"), {"s": seq})
        conn.execute(sa.text("ALTER TABLE qingyang_access_log ENABLE TRIGGER qingyang_access_log_no_rewrite"))
    result = ok(app, world, "platform_admin", "qingyang_audit_verify")
    assert result["intact"] is False and result["first_broken_seq"] == seq

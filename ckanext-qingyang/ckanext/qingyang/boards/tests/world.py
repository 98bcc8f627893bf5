"""A small city for the boards' tests: the government, its 政务服务中心, the 电子政务办
(platform admin), three departments and a county with its own centre; one user per role,
each with an API token; and calls through /api/3/action as that user."""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from ckan.tests import factories, helpers

from ckanext.qingyang.tests.factories import department

JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64
PDF = b"%PDF-1.7\n" + b"\0" * 64


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)


def call(app, world: World, actor: str | None, action: str, *, environ: dict | None = None, **params):
    """POST an action as the actor (None: anonymous); (status, result or error)."""
    headers = {"Authorization": world.tokens[actor]} if actor in world.tokens else {}
    res = app.post(f"/api/3/action/{action}", json=params, headers=headers,
                   extra_environ=environ or {"REMOTE_ADDR": "10.0.0.1"})
    body = res.get_json(silent=True)
    body = body if isinstance(body, dict) else {"error": body}
    return res.status_code, body.get("result", body.get("error"))


def ok(app, world, actor, action, **params):
    status, result = call(app, world, actor, action, **params)
    assert status == 200, (actor, action, result)
    return result


def _user(world, role, **kw):
    user = factories.User(email=f"{role}@qy.example.gov.cn", **kw)
    world.users[role] = user
    world.tokens[role] = helpers.call_action("api_token_create", {"ignore_auth": True, "user": user["name"]},
                                             user=user["name"], name="test")["token"]
    return user


def _member(world, role, org, capacity="editor", **kw):
    user = _user(world, role, **kw)
    helpers.call_action("organization_member_create", {"ignore_auth": True}, id=world.orgs[org]["id"],
                        username=user["name"], role=capacity)
    return user


def build_world() -> World:
    w = World()
    city = department(kind="government", name="city-gov", title="庆阳市人民政府")
    parent = [{"name": city["name"], "capacity": "parent"}]
    w.orgs["city"] = city
    w.orgs["centre"] = department(name="city-centre", title="市政务服务中心", kind="office", roles="service_center",
                                  groups=parent)
    w.orgs["egov"] = department(name="egov-office", title="市电子政务办", kind="office",
                                roles="egov_office platform_admin", groups=parent)
    w.orgs["housing"] = department(name="housing", title="市住建局", groups=parent)
    w.orgs["transport"] = department(name="transport", title="市交通局", groups=parent)
    w.orgs["other"] = department(name="other-dept", title="市文旅局", groups=parent)
    county = department(kind="government", name="xifeng-gov", title="西峰区人民政府", jurisdiction_level="county",
                        jurisdiction="西峰区", region_code="621002", groups=parent)
    w.orgs["county"] = county
    w.orgs["county_centre"] = department(name="xifeng-centre", title="西峰区政务服务中心", kind="office",
                                         roles="service_center", jurisdiction_level="county", jurisdiction="西峰区",
                                         region_code="621002", groups=[{"name": county["name"], "capacity": "parent"}])
    _member(w, "centre", "centre", "editor")
    _member(w, "centre_admin", "centre", "admin")
    _member(w, "housing", "housing", "editor")
    _member(w, "housing_admin", "housing", "admin")
    _member(w, "housing_member", "housing", "member")
    _member(w, "transport", "transport", "editor")
    _member(w, "transport_admin", "transport", "admin")
    _member(w, "other", "other", "editor")
    _member(w, "county_centre", "county_centre", "editor")
    _member(w, "platform_admin", "egov", "member")
    _user(w, "registered")
    _user(w, "sysadmin", sysadmin=True)
    _user(w, "hotline", sysadmin=False)    # an integrating system's account (12345)
    return w


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def message(**overrides) -> dict:
    data = dict(kind="咨询", organization="housing", title="公租房申请条件", content="请问公租房申请需要什么条件?",
                name="张三明", phone="13812345678", publish_consent=True)
    data.update(overrides)
    return data

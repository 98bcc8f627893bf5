"""A small city for the subscription tests: 市自然资源局 with a published approval item and a
draft, 市人社局 with a published service item; a citizen with a mail address, one without, the
pipeline (a sysadmin, as the DAG's token is)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ckan.tests import factories, helpers

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)


def _user(w: World, role: str, **kw) -> None:
    w.users[role] = user = factories.User(**kw)
    w.tokens[role] = helpers.call_action("api_token_create", {"ignore_auth": True, "user": user["name"]},
                                         user=user["name"], name="test")["token"]


def build() -> World:
    w = World()
    w.orgs["land"] = department(name="land", title="市自然资源局")
    w.orgs["hr"] = department(name="hr", title="市人社局")
    w.items["permit"] = create(w.orgs["land"], "approval_item", title="建设用地规划许可证核发")
    w.items["draft"] = create(w.orgs["land"], "approval_item", publish=False, title="尚未发布的许可")
    w.items["card"] = create(w.orgs["hr"], "service_item", title="社会保障卡补领")
    _user(w, "citizen", email="citizen@example.cn", fullname="张大爷")
    _user(w, "other", email="other@example.cn")
    _user(w, "pipeline", sysadmin=True, email="pipeline@example.cn")
    return w


def call(app, w: World, actor: str | None, action: str, **params):
    headers = {"Authorization": w.tokens[actor]} if actor in w.tokens else {}
    res = app.post(f"/api/3/action/{action}", json=params, headers=headers)
    body = res.get_json(silent=True) or {}
    return res.status_code, body.get("result", body.get("error"))


def ok(app, w: World, actor: str | None, action: str, **params):
    status, result = call(app, w, actor, action, **params)
    assert status == 200, (actor, action, result)
    return result

"""A small city for the subscription tests: 市自然资源局 with a published approval item and a
draft, 市人社局 with a published service item; two citizens with mail addresses, the
pipeline (a sysadmin, as the DAG's token is)."""
from __future__ import annotations

from dataclasses import dataclass, field

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.api import token_user
from ckanext.qingyang.tests.factories import department


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)


def build() -> World:
    w = World()
    w.orgs["land"] = department(name="land", title="市自然资源局")
    w.orgs["hr"] = department(name="hr", title="市人社局")
    w.items["permit"] = create(w.orgs["land"], "approval_item", title="建设用地规划许可证核发")
    w.items["draft"] = create(w.orgs["land"], "approval_item", publish=False, title="尚未发布的许可")
    w.items["card"] = create(w.orgs["hr"], "service_item", title="社会保障卡补领")
    token_user(w, "citizen", email="citizen@example.cn", fullname="张大爷")
    token_user(w, "other", email="other@example.cn")
    token_user(w, "pipeline", sysadmin=True, email="pipeline@example.cn")
    return w

"""A small city for the efficiency tests: 市自然资源局 with an approval item (promised 5,
statutory 10 working days) and 市人社局 with a service item (办结时限 3); the 电子政务办."""
from __future__ import annotations

from dataclasses import dataclass, field

from ckan.tests import helpers

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.api import call, ok, token_user  # noqa: F401  (the tests' API calls)
from ckanext.qingyang.tests.factories import department

PERMIT = "建设用地规划许可证核发"
CARD = "社会保障卡补领"
PERMIT_CODE = "621000-XK-0017"          # its 事项编码


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    users: dict[str, dict] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)


def _user(w, role, org=None, capacity="editor", **kw):
    user = token_user(w, role, email=f"{role}@qy.example.gov.cn", **kw)
    if org:
        helpers.call_action("organization_member_create", {"ignore_auth": True}, id=w.orgs[org]["id"],
                            username=user["name"], role=capacity)


def build() -> World:
    w = World()
    w.orgs["egov"] = department(name="egov-office", title="市电子政务办", kind="office",
                                roles="egov_office platform_admin")
    w.orgs["land"] = department(name="land", title="市自然资源局")
    w.orgs["hr"] = department(name="hr", title="市人社局")
    w.items["permit"] = create(w.orgs["land"], "approval_item", title=PERMIT, statutory_days="10", promised_days="5",
                               item_code=PERMIT_CODE)
    w.items["card"] = create(w.orgs["hr"], "service_item", title=CARD, time_limit_days="3")
    w.items["draft"] = create(w.orgs["land"], "approval_item", publish=False, title="未发布的许可",
                              statutory_days="10", promised_days="5")
    _user(w, "land", "land")
    _user(w, "hr", "hr")
    _user(w, "platform_admin", "egov", "member")
    _user(w, "pipeline", sysadmin=True)
    return w


def record(no: str, **over) -> dict:
    base = {"办件编号": no, "部门": "land", "事项名称": PERMIT, "申请人类型": "法人",
            "受理时间": "2026-03-02 09:00", "审查": "2026-03-03 10:00", "决定": "2026-03-05 16:00",
            "办结时间": "2026-03-06 09:30", "状态": "办结", "是否网办": "是"}
    base.update(over)
    return {k: v for k, v in base.items() if v is not None}

"""A small city for the portal's tests, built once per module (the tests only read it):
a city department, 环县 with a department and the township 环城镇, and 西峰区.

The same 营业执照补领换领 is published by the city, 环县 and 西峰区; 最低生活保障申请受理
only by 环城镇; 社会保障卡申领 by 西峰区 and 环县. 阳光政务 gets a power with two
responsibility items, two special funds and a poverty project.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department

HUANXIAN, HUANCHENG, XIFENG = "621022", "621022100", "621002"


@dataclass
class World:
    orgs: dict[str, dict] = field(default_factory=dict)
    items: dict[str, dict] = field(default_factory=dict)


def _county_dept(name: str, title: str, code: str, place: str, level: str = "county") -> dict:
    return department(name=name, title=title, jurisdiction_level=level, region_code=code,
                      jurisdiction=place)


def build() -> World:
    w = World()
    w.orgs["city"] = department(name="qingyang-market", title="庆阳市市场监督管理局")
    w.orgs["huanxian"] = _county_dept("huanxian-market", "环县市场监督管理局", HUANXIAN, "环县")
    w.orgs["huancheng"] = _county_dept("huanxian-huancheng-gov", "环城镇人民政府", HUANCHENG, "环城镇",
                                       level="township")
    w.orgs["xifeng"] = _county_dept("xifeng-market", "西峰区市场监督管理局", XIFENG, "西峰区")
    license_fields = dict(title="营业执照补领换领", audience=["personal", "legal_person"],
                          topics=["operating_permits"])
    for key in ("city", "huanxian", "xifeng"):
        w.items[f"license-{key}"] = create(w.orgs[key], "service_item", **license_fields)
    w.items["dibao"] = create(w.orgs["huancheng"], "service_item", title="最低生活保障申请受理",
                              audience=["personal"], topics=["social_security"])
    for key in ("xifeng", "huanxian"):
        w.items[f"card-{key}"] = create(w.orgs[key], "service_item", title="社会保障卡申领",
                                        audience=["personal"], topics=["social_security"])
    w.items["food"] = create(w.orgs["huanxian"], "approval_item", title="食品经营许可",
                             audience=["legal_person"], topics=["operating_permits"])
    w.items["power"] = create(w.orgs["huanxian"], "power_item", title="食品经营许可证核发",
                              code="XK-621022-0001")
    for duty in ("受理责任:依法受理或不予受理", "决定责任:作出准予或不予许可的决定"):
        w.items[duty] = create(w.orgs["huanxian"], "responsibility_item", title=duty,
                               power_code="XK-621022-0001")
    w.items["fund-a"] = create(w.orgs["huanxian"], "special_fund", title="食品安全监管专项资金",
                               budget_year="2025", competent_department="环县市场监督管理局",
                               budget_amount="120.5")
    w.items["fund-b"] = create(w.orgs["xifeng"], "special_fund", title="市场主体培育专项资金",
                               budget_year="2025", competent_department="西峰区市场监督管理局",
                               budget_amount="80")
    w.items["project"] = create(w.orgs["huancheng"], "poverty_project", title="肉羊养殖扶贫项目",
                                county=HUANXIAN, township="环城镇", village="西沟村", year="2025")
    return w

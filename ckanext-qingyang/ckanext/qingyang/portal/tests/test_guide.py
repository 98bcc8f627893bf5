"""The 办事指南 of approval and service items, read as anonymous citizens read it, and
its printable checklist. Items come from the schemas' examples, which fill every field."""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from ckanext.qingyang.core import listdef
from ckanext.qingyang.portal import guide
from ckanext.qingyang.portal.tests.items import create
from ckanext.qingyang.tests.factories import department

STOCK_LEFTOVERS = ("该数据集没有数据", "没有指定授权", "No License Provided", "关注者", "Followers",
                   "twitter.com", "facebook.com", "x.com/share")


def _soup(app, url: str, status: int = 200) -> BeautifulSoup:
    res = app.get(url)
    assert res.status_code == status, url
    return BeautifulSoup(res.body, "html.parser")


def _texts(nodes) -> list[str]:
    return [" ".join(n.get_text(" ", strip=True).split()) for n in nodes]


@pytest.mark.parametrize("text, expected", [
    ("申请→受理→审查→决定→送达", ["申请", "受理", "审查", "决定", "送达"]),
    ("窗口或网上申请 -> 信息核验\n登记办结", ["窗口或网上申请", "信息核验", "登记办结"]),
    ("1、申请 2、受理、审查 3、决定", ["申请", "受理、审查", "决定"]),
    ("(1)提交材料;(2)窗口受理", ["提交材料", "窗口受理"]),
    ("申请;受理;办结", ["申请", "受理", "办结"]),
    ("申请、受理、办结", ["申请", "受理", "办结"]),
    ("第一步:申请\n第二步:审核", ["申请", "审核"]),
    ("当场办结", ["当场办结"]),
    ("", []),
    (None, []),
])
def test_steps_split_the_procedure_text(text, expected):
    assert guide.steps(text) == expected


def test_approval_item_page_is_a_service_guide(app, approval):
    lt = listdef.load_type("approval_item")
    example = {c.field_name: c.example for c in lt.columns}
    page = _soup(app, f"/dataset/{approval['name']}")
    body = page.select_one(".qy-guide")
    assert body is not None
    assert approval["title"] in body.h1.get_text()
    assert "实施机关" in body.get_text() and example["implementing_body"] in body.get_text()
    assert "所属辖区:庆阳市" in body.get_text()

    summary = body.select_one(".qy-summary").get_text(" ", strip=True)
    assert f"{example['promised_days']} 个工作日" in summary and f"{example['statutory_days']} 个工作日" in summary
    assert "最多跑 1 次" in summary and example["fee_standard"] in summary
    assert body.select_one("a.qy-button-online")["href"] == example["online_url"]

    checklist = body.select("ol.qy-checklist li")
    assert _texts(checklist) == example["requirements"].split(";")
    assert all(li.select_one("input[type=checkbox]") for li in checklist)
    assert body.select_one("a.qy-print-link")["href"] == f"/qingyang/guide/{approval['name']}/print"
    assert _texts(body.select("ol.qy-steps li")) == ["申请", "受理", "审查", "决定", "送达"]
    assert example["acceptance_conditions"] in body.get_text()

    phones = {a["href"] for a in body.select('a[href^="tel:"]')}
    assert phones == {f"tel:{example['phone']}", f"tel:{example['complaint_phone']}"}
    assert example["service_location"] in body.get_text() and example["service_hours"] in body.get_text()
    assert _texts(body.select(".qy-basis li")) == [example["legal_basis"]]
    assert {"法人", "国土和规划建设"} <= set(_texts(body.select(".qy-chip")))

    record = body.select_one(".qy-record").get_text(" ", strip=True)
    assert "发布单位" in record and "庆阳市自然资源局" in record and "发布时间" in record
    assert "最近调整" not in record            # never adjusted
    assert page.select_one(".qy-elsewhere") is None   # no other jurisdiction has it

    html = str(page)
    for leftover in STOCK_LEFTOVERS:
        assert leftover not in html, leftover
    assert "None" not in body.get_text()
    assert page.select_one("aside.secondary") is None            # no sidebar: one column
    assert page.select_one('link[href*="qingyang_portal"]') is not None


def test_fields_without_a_value_are_not_shown(app, city_dept):
    item = create(city_dept, acceptance_conditions="", service_location="", service_hours="", complaint_phone="",
                  audience=[], topics=[], visits_required="", online="", online_url="", fee_standard="")
    body = _soup(app, f"/dataset/{item['name']}").select_one(".qy-guide")
    text = body.get_text(" ", strip=True)
    for label in ("受理条件", "办理地点", "办理时间", "监督投诉电话", "服务对象", "主题分类", "到现场次数", "在线办理",
                  "收费标准", "None"):
        assert label not in text, label
    assert [a["href"] for a in body.select('a[href^="tel:"]')] == [f"tel:{item['phone']}"]


def test_service_item_page_is_a_service_guide(app, city_dept):
    item = create(city_dept, "service_item")
    example = {c.field_name: c.example for c in listdef.load_type("service_item").columns}
    body = _soup(app, f"/dataset/{item['name']}").select_one(".qy-guide")
    text = body.get_text(" ", strip=True)
    assert "责任单位" in text and example["responsible_unit"] in text
    assert f"{example['time_limit_days']} 个工作日" in body.select_one(".qy-summary").get_text(" ", strip=True)
    assert "零跑动" in text                       # the example says 0 visits
    assert example["service_content"] in text and example["management_requirements"] in text
    assert _texts(body.select("ol.qy-steps li")) == ["窗口或网上申请", "信息核验", "登记办结"]
    assert body.select_one("ol.qy-checklist") is None   # service items list no 办理要件
    assert {"个人", "社会保障", "医疗卫生"} <= set(_texts(body.select(".qy-chip")))


def test_other_jurisdictions_with_the_same_item_are_linked(app, city_dept, approval):
    county = department(name="xifeng-natural-resources", title="西峰区自然资源局", jurisdiction="西峰区",
                        jurisdiction_level="county", region_code="621002")
    theirs = create(county)
    create(county, title=approval["title"] + "(延续)")              # another title
    create(county, "service_item", title=approval["title"])        # another list type
    unpublished = department(name="huanxian-natural-resources", title="环县自然资源局", jurisdiction="环县",
                             jurisdiction_level="county", region_code="621022")
    create(unpublished, publish=False)                              # a draft is nobody's guide yet

    links = _soup(app, f"/dataset/{approval['name']}").select(".qy-elsewhere a")
    assert [(a["href"], " ".join(a.get_text(" ", strip=True).split())) for a in links] == [
        (f"/approval_item/{theirs['name']}", "西峰区 西峰区自然资源局")]
    back = _soup(app, f"/dataset/{theirs['name']}").select(".qy-elsewhere a")
    assert _texts(back) == ["庆阳市 庆阳市自然资源局"]


def test_print_view_is_the_checklist_without_navigation(app, approval):
    example = {c.field_name: c.example for c in listdef.load_type("approval_item").columns}
    page = _soup(app, f"/qingyang/guide/{approval['name']}/print")
    assert page.select_one(".account-masthead, .masthead, footer.site-footer, .breadcrumb") is None
    assert approval["title"] in page.h1.get_text()
    assert len(page.select("ol.qy-checklist input[type=checkbox]")) == len(example["requirements"].split(";"))
    assert {a["href"] for a in page.select('a[href^="tel:"]')} == {
        f"tel:{example['phone']}", f"tel:{example['complaint_phone']}"}
    assert example["service_location"] in page.get_text()
    assert page.select_one('link[href*="qingyang_portal"]') is not None


def test_hidden_items_answer_404_on_both_pages(app, city_dept):
    draft = create(city_dept, publish=False)      # a draft is private to its department
    _soup(app, f"/dataset/{draft['name']}", 404)
    _soup(app, f"/qingyang/guide/{draft['name']}/print", 404)
    _soup(app, "/qingyang/guide/no-such-item/print", 404)


def test_other_list_types_keep_the_catalog_page(app, city_dept):
    power = create(city_dept, "power_item")
    page = _soup(app, f"/dataset/{power['name']}")
    assert page.select_one(".qy-guide") is None
    assert page.select_one("table") is not None                 # scheming's field table
    _soup(app, f"/qingyang/guide/{power['name']}/print", 404)


def test_english_page_uses_the_english_labels(app, approval):
    body = _soup(app, f"/en/dataset/{approval['name']}").select_one(".qy-guide")
    text = body.get_text(" ", strip=True)
    for label in ("Service guide", "Required documents", "Legal basis", "Procedure", "Enquiry phone",
                  "Print the document checklist", "working days", "At most 1 visit(s) in person", "Apply online"):
        assert label in text, label
    for chinese in ("办理要件", "设立依据", "打印材料清单", "个工作日"):
        assert chinese not in text, chinese

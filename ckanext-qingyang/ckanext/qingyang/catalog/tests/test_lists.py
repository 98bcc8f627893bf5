"""The eight list types: one definition behind schema, template, import, export and search."""
import csv
import io
import json
from pathlib import Path

import pytest
from openpyxl import load_workbook

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.core import listdef, orgtree, spreadsheets
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.tests.factories import department, example_item, example_row, published

CATALOGS = Path(__file__).resolve().parents[5] / "catalogs"

# The labels the issue fixes for each type (the interface departments fill in).
EXPECTED_HEADERS = {
    "power_item": ["名称", "编码", "类型", "依据", "行使主体", "办结时限", "流程图", "监督方式", "状态",
                   "调整原因", "调整依据", "最后确认日期", "清单状态"],
    "responsibility_item": ["对应职权编码", "责任事项", "责任主体", "追责情形", "问责依据", "最后确认日期", "清单状态"],
    "special_fund": ["预算年度", "项目主管部门", "项目名称", "预算数额", "管理办法", "分配使用", "绩效评价",
                     "状态", "调整或取消原因", "最后确认日期", "清单状态"],
    "poverty_fund_plan": ["年度", "县区", "资金来源", "分配数额", "用途", "最后确认日期", "清单状态"],
    "poverty_project": ["项目名称", "年度", "县区", "乡镇", "村", "实施单位", "中央资金", "省级资金", "市级资金",
                        "县级资金", "受益户数", "受益人数", "建设内容", "进度状态", "收入增长目标", "脱贫目标",
                        "最后确认日期", "清单状态"],
    "approval_item": ["项目名称", "设立依据", "办理要件", "办理程序", "法定办结时限", "承诺办结时限", "承办科室",
                      "实施机关", "收费标准", "咨询电话", "服务对象", "主题分类", "受理条件", "办理地点", "办理时间",
                      "到现场次数", "是否可网上办理", "网办地址", "监督投诉电话", "事项编码", "最后确认日期", "清单状态"],
    "service_item": ["事项名称", "责任单位", "服务内容", "服务流程", "办结时限", "管理要求", "服务对象", "主题分类",
                     "受理条件", "办理地点", "办理时间", "到现场次数", "是否可网上办理", "网办地址", "咨询电话",
                     "监督投诉电话", "事项编码", "最后确认日期", "清单状态"],
    "shared_resource": ["信息资源名称", "信息资源代码", "提供方", "提供方代码", "摘要", "信息资源格式", "信息项",
                        "资源分类", "共享类型", "共享条件", "不予共享依据", "共享方式", "开放属性", "更新周期",
                        "发布日期", "关联资源代码", "最后确认日期", "清单状态"],
}


@pytest.fixture()
def dept(clean_db, clean_index):
    return department(name="qingyang-natural-resources", title="庆阳市自然资源局")


def _import(org, type_name, rows, user=None, publish=True):
    """Import rows; the new items are then seeded as published (this file tests lists, not review)."""
    user = user or factories.Sysadmin()
    report = helpers.call_action("qingyang_list_import", {"user": user["name"]},
                                 organization=org["name"], type=type_name, rows=rows)
    if publish:
        published(*({"name": n} for n in report["names"]))
    return report


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_templates_download_with_exactly_the_labels(app, type_name):
    xlsx = app.get(f"/qingyang/template/{type_name}.xlsx")
    assert xlsx.status_code == 200
    wb = load_workbook(io.BytesIO(xlsx.data))
    assert [c.value for c in wb.worksheets[0][1]] == EXPECTED_HEADERS[type_name]
    guide = wb[spreadsheets.INSTRUCTIONS_SHEET]
    assert [r[0].value for r in guide.iter_rows(min_row=2, max_row=len(EXPECTED_HEADERS[type_name]) + 1)] \
        == EXPECTED_HEADERS[type_name]

    body = app.get(f"/qingyang/template/{type_name}.csv").data
    assert body.startswith("\ufeff".encode())
    assert next(csv.reader(io.StringIO(body.decode("utf-8-sig")))) == EXPECTED_HEADERS[type_name]


def test_unknown_template_type_is_404(app):
    assert app.get("/qingyang/template/no_such_list.xlsx").status_code == 404


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_scheming_schema_and_definition_agree(type_name):
    """The schema CKAN serves is the definition templates and checks use."""
    served = helpers.call_action("scheming_dataset_schema_show", type=type_name)
    lt = listdef.load_type(type_name)
    by_name = {f["field_name"]: f for f in served["dataset_fields"]}
    for col in lt.columns:
        assert by_name[col.field_name]["label"]["zh_Hans_CN"] == col.label
        assert bool(by_name[col.field_name].get("required")) == col.required
        served_choices = [c["value"] for c in by_name[col.field_name].get("choices", [])]
        if served_choices:
            assert served_choices == [c.value for c in col.choices]
    assert lt.headers == EXPECTED_HEADERS[type_name]


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_filled_template_exported_back_equals_what_went_in(app, dept, type_name):
    if type_name == "responsibility_item":
        _import(dept, "power_item", [example_row("power_item")])
    row = example_row(type_name)
    report = _import(dept, type_name, [row])
    assert report["errors"] == [] and report["created"] == 1

    exported = helpers.call_action("qingyang_list_export", organization=dept["name"], type=type_name)
    assert exported["headers"] == EXPECTED_HEADERS[type_name]
    assert exported["rows"] == [row]

    for fmt in ("csv", "xlsx", "json"):
        resp = app.get(f"/qingyang/list/{dept['name']}/{type_name}.{fmt}")
        assert resp.status_code == 200
    text = app.get(f"/qingyang/list/{dept['name']}/{type_name}.csv").data.decode("utf-8-sig")
    assert list(csv.DictReader(io.StringIO(text))) == [row]

    again = _import(dept, type_name, [row])
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 1)


def test_import_reports_row_column_and_reason_in_chinese(dept):
    good = example_row("special_fund")
    bad = example_row("special_fund", **{"项目名称": "另一个项目", "预算数额": "-5", "状态": "暂停"})
    report = _import(dept, "special_fund", [good, bad])
    assert report["created"] == 1
    errors = {(e["row"], e["column"]): e["message"] for e in report["errors"]}
    assert "不小于 0" in errors[(3, "预算数额")]
    assert "保留、调整、取消" in errors[(3, "状态")]


def test_invalid_items_are_refused_with_chinese_field_names(dept):
    user = factories.Sysadmin()
    item = example_item("approval_item", owner_org=dept["id"], statutory_days="10", promised_days="15",
                        phone="12", title="测试审批")
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_create", {"user": user["name"]}, **item)
    errors = e.value.error_dict
    assert errors["promised_days"] == ["承诺办结时限:不能超过法定办结时限"]
    assert errors["phone"][0].startswith("咨询电话:")

    shared = example_item("shared_resource", owner_org=dept["id"], share_type="不予共享", no_share_basis="")
    with pytest.raises(tk.ValidationError) as e:
        helpers.call_action("package_create", {"user": user["name"]}, **shared)
    assert e.value.error_dict["no_share_basis"] == ["不予共享依据:共享类型为“不予共享”时必填"]


def test_input_is_normalised_before_it_is_checked(dept):
    user = factories.Sysadmin()
    item = example_item("power_item", owner_org=dept["id"], code="ＸＫ-６２１０００-０００９",
                        title="  「城市」建筑垃圾处置核准  ", time_limit_days="１５")
    created = helpers.call_action("package_create", {"user": user["name"]}, **item)
    assert created["code"] == "XK-621000-0009"
    assert created["title"] == "“城市”建筑垃圾处置核准"
    assert created["time_limit_days"] == "15"


def test_responsibility_must_name_an_existing_power_item(dept):
    report = _import(dept, "responsibility_item", [example_row("responsibility_item")])
    assert report["created"] == 0
    assert "没有编码为“XK-621000-0001”的行政权力事项" in report["errors"][0]["message"]
    assert report["errors"][0]["column"] == "对应职权编码"


def test_same_natural_key_updates_and_never_duplicates(dept):
    row = example_row("power_item")
    _import(dept, "power_item", [row])
    changed = dict(row, **{"办结时限": "15"})
    report = _import(dept, "power_item", [changed])
    assert report["updated"] == 1 and report["created"] == 0
    found = helpers.call_action("package_search", fq="dataset_type:power_item", include_private=True)
    assert found["count"] == 1
    # the change of a published item is a revision waiting for review
    assert found["results"][0]["time_limit_days"] == row["办结时限"]
    pkg = model.Package.get(found["results"][0]["id"])
    assert json.loads(workflow.open_version(pkg.id)["data"])["time_limit_days"] == "15"


def test_chinese_search_covers_key_fields_and_facets(dept):
    _import(dept, "approval_item", [example_row("approval_item")])
    # 办理要件 text, not the title
    hit = helpers.call_action("package_search", q="土地权属证明")
    assert [d["title"] for d in hit["results"]] == ["建设用地规划许可证核发"]
    # Chinese labels of coded values are searchable too
    _import(dept, "power_item", [example_row("power_item")])
    assert helpers.call_action("package_search", q="行政许可", fq="dataset_type:power_item")["count"] == 1
    facets = helpers.call_action("package_search", q="*:*", **{"facet.field": '["dataset_type","power_type","jurisdiction_level"]'})
    labels = {i["name"]: i["display_name"] for i in facets["search_facets"]["power_type"]["items"]}
    assert labels == {"license": "行政许可"}
    level = facets["search_facets"]["jurisdiction_level"]["items"]
    assert level == [{"name": "city", "display_name": "市级", "count": 2}]


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_county_page_rolls_up_township_items(app):
    site = helpers.call_action("get_site_user")
    act = lambda name, data: helpers.call_action(name, {"user": site["name"]}, **data)
    entries = [e for e in orgtree.read_tree(CATALOGS / "organizations.yaml")
               if e["name"] in ("qingyang-gov", "huanxian-gov") or e.get("parent") == "huanxian-gov"]
    orgtree.load_tree(entries, act, tk.ObjectNotFound)
    township = next(e["name"] for e in entries if e["jurisdiction_level"] == "township")
    report = act("qingyang_list_import", {"organization": township, "type": "service_item",
                                          "rows": [example_row("service_item", **{"事项名称": "高龄津贴申领"})]})
    published({"name": report["names"][0]})

    county = helpers.call_action("qingyang_list_export", organization="huanxian-gov", type="service_item",
                                 children=True)
    assert [r["事项名称"] for r in county["rows"]] == ["高龄津贴申领"]
    own = helpers.call_action("qingyang_list_export", organization="huanxian-gov", type="service_item")
    assert own["rows"] == []
    page = app.get("/organization/huanxian-gov")
    assert "高龄津贴申领" in page.body
    found = helpers.call_action("package_search", fq='county:"环县"')
    assert found["count"] == 1


@pytest.mark.usefixtures("clean_db")
def test_loading_the_tree_twice_changes_nothing_and_renames_in_place(tmp_path):
    site = helpers.call_action("get_site_user")
    act = lambda name, data: helpers.call_action(name, {"user": site["name"]}, **data)
    entries = orgtree.read_tree(CATALOGS / "organizations.yaml")[:12]
    first = orgtree.load_tree(entries, act, tk.ObjectNotFound)
    assert len(first.created) == 12
    second = orgtree.load_tree(entries, act, tk.ObjectNotFound)
    assert len(second.unchanged) == 12 and not second.created and not second.updated
    entries[3] = dict(entries[3], title=entries[3]["title"] + "(更名)")
    third = orgtree.load_tree(entries, act, tk.ObjectNotFound)
    assert third.updated == [entries[3]["name"]]
    assert helpers.call_action("organization_show", id=entries[3]["name"])["title"].endswith("(更名)")
    assert len(helpers.call_action("organization_list")) == 12
    child = helpers.call_action("organization_show", id=entries[3]["name"])
    assert [g["name"] for g in child["groups"]] == [entries[3]["parent"]]


def test_item_page_shows_fields_in_order_with_chinese_labels_and_flowchart_inline(app, dept):
    user = factories.Sysadmin()
    item = example_item("power_item", owner_org=dept["id"],
                        flowchart="https://zwfw.example.cn/flow/XK-621000-0001.png")
    created = helpers.call_action("package_create", {"user": user["name"]}, **item)
    published(created)
    body = app.get(f"/power_item/{created['name']}").body
    positions = [body.index(label) for label in ("编码", "类型", "依据", "行使主体", "办结时限", "监督方式")]
    assert positions == sorted(positions)
    assert "行政许可" in body
    assert '<img src="https://zwfw.example.cn/flow/XK-621000-0001.png"' in body


def test_department_page_links_its_lists(app, dept):
    body = app.get(f"/organization/{dept['name']}").body
    assert "清单下载" in body
    for type_name in listdef.TYPE_NAMES:
        assert f"/qingyang/list/{dept['name']}/{type_name}.xlsx" in body
        assert f"/qingyang/template/{type_name}.xlsx" in body


def test_one_bad_row_does_not_undo_the_good_rows_around_it(dept):
    rows = [example_row("service_item", **{"事项名称": f"事项{i}"}) for i in range(3)]
    rows[1]["办结时限"] = "0"
    report = _import(dept, "service_item", rows)
    assert report["created"] == 2
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(3, "办结时限")]
    titles = {d["title"] for d in helpers.call_action("package_search", fq="dataset_type:service_item")["results"]}
    assert titles == {"事项0", "事项2"}


def test_duplicate_rows_in_one_file_are_refused_after_the_first(dept):
    row = example_row("service_item")
    report = _import(dept, "service_item", [row, dict(row, **{"服务内容": "另一种说法"})])
    assert report["created"] == 1
    assert report["errors"][0]["row"] == 3 and "与第 2 行重复" in report["errors"][0]["message"]


def test_a_full_list_withdraws_missing_items_and_never_deletes_them(dept):
    user = factories.Sysadmin()
    rows = [example_row("power_item", **{"名称": f"事项{i}", "编码": f"XK-621000-000{i}"}) for i in range(1, 4)]
    _import(dept, "power_item", rows, publish=False)     # drafts: withdrawn at once (published ones via review)
    report = helpers.call_action("qingyang_list_import", {"user": user["name"]}, organization=dept["name"],
                                 type="power_item", rows=rows[:2], full_list=True, reason="2026年第4次提交")
    assert (report["unchanged"], report["cancelled"]) == (2, 1)
    gone = helpers.call_action("package_search", q="事项3", fq="dataset_type:power_item",
                               include_private=True)["results"][0]
    assert gone["status"] == "cancelled" and gone["list_status"] == "withdrawn"
    assert gone["adjustment_reason"] == "2026年第4次提交"
    exported = helpers.call_action("qingyang_list_export", {"user": user["name"]}, organization=dept["name"],
                                   type="power_item", drafts=True)
    assert {r["名称"]: r["状态"] for r in exported["rows"]} == {"事项1": "在用", "事项2": "在用", "事项3": "已取消"}
    # sending the item again brings it back
    again = helpers.call_action("qingyang_list_import", {"user": user["name"]}, organization=dept["name"],
                                type="power_item", rows=rows, full_list=True)
    assert again["updated"] == 1 and again["cancelled"] == 0


def test_another_department_cannot_take_over_a_shared_resource_code(dept):
    _import(dept, "shared_resource", [example_row("shared_resource")])
    other = department(name="qingyang-market", title="庆阳市市场监督管理局")
    report = _import(other, "shared_resource", [example_row("shared_resource")])
    assert report["created"] == 0
    assert "已由“庆阳市自然资源局”发布" in report["errors"][0]["message"]
    owner = helpers.call_action("package_search", fq="dataset_type:shared_resource")["results"][0]["organization"]
    assert owner["name"] == dept["name"]


def test_exports_obey_the_items_visibility(app, dept):
    user = factories.Sysadmin()
    public = example_item("service_item", owner_org=dept["id"], title="公开事项")
    hidden = example_item("service_item", owner_org=dept["id"], title="内部事项")
    published(helpers.call_action("package_create", {"user": user["name"]}, **public))
    helpers.call_action("package_create", {"user": user["name"]}, **hidden)     # stays a draft
    anonymous = helpers.call_action("qingyang_list_export", {"user": ""}, organization=dept["name"],
                                    type="service_item")
    assert [r["事项名称"] for r in anonymous["rows"]] == ["公开事项"]
    assert "内部事项" not in app.get(f"/qingyang/list/{dept['name']}/service_item.csv").data.decode("utf-8-sig")
    member = helpers.call_action("qingyang_list_export", {"user": user["name"]}, organization=dept["name"],
                                 type="service_item", drafts=True)
    assert sorted(r["事项名称"] for r in member["rows"]) == ["公开事项", "内部事项"]

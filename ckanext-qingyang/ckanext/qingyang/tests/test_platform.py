"""Smoke tests of the running stack: CKAN 2.12 + real Solr 9 + PostgreSQL + Redis."""
import pytest

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.core import listdef
from ckanext.qingyang.tests.factories import department, example_item, published

TITLES = {
    "land": "建设用地规划许可证核发",
    "record": "无犯罪记录证明开具",
    "insurance": "城乡居民基本医疗保险参保登记",
    "water": "Water quality monitoring 水质监测 GB 3838",
}


@pytest.fixture()
def indexed(clean_db, clean_index):
    org = department(name="test-dept", title="测试部门")
    optional = {c.field_name for c in listdef.load_type("service_item").columns if c.optional}
    ids, pkgs = {}, []
    for key, title in TITLES.items():
        # neutral text elsewhere and no optional 办事指南 fields, so only the title decides what a query finds
        item = example_item("service_item", title=title, owner_org=org["id"], responsible_unit="测试单位",
                            service_content="说明", service_process="申请、办结",
                            management_requirements="按规定办理")
        item = {k: v for k, v in item.items() if k not in optional}
        pkgs.append(helpers.call_action("package_create", {"user": factories.Sysadmin()["name"]}, **item))
        ids[key] = pkgs[-1]["id"]
    published(*pkgs)      # search is what is tested here, not review
    return ids


def titles_found(q, **kw):
    result = helpers.call_action("package_search", q=q, rows=50, **kw)
    return {d["title"] for d in result["results"]}


def test_solr_schema_is_accepted_by_ckan():
    assert search.check_solr_schema_version() is True


@pytest.mark.parametrize(
    "query, expected",
    [
        ("建设用地", {"land"}),
        ("用地", {"land"}),
        ("无犯罪证明", {"record"}),
        ("基本医疗", {"insurance"}),
        ("医疗保险", {"insurance"}),
        ("基本医疗 参保", {"insurance"}),
        ("water", {"water"}),
        ("水质", {"water"}),
        ("3838", {"water"}),
        ("Water 水质", {"water"}),
    ],
)
@pytest.mark.usefixtures("indexed")
def test_chinese_and_english_queries_find_their_items(query, expected):
    assert titles_found(query) == {TITLES[k] for k in expected}


@pytest.mark.usefixtures("indexed")
def test_chinese_queries_do_not_match_unrelated_items():
    assert titles_found("医疗").isdisjoint({TITLES["land"], TITLES["record"]})
    assert titles_found("用地") == {TITLES["land"]}
    assert titles_found("犯罪记录 水质") == set()


@pytest.mark.usefixtures("clean_db", "clean_index")
def test_organization_and_dataset_through_the_action_api():
    user = factories.Sysadmin()
    ctx = {"user": user["name"]}
    org = helpers.call_action("organization_create", ctx, name="shizheng", title="市政务服务中心",
                              kind="office", jurisdiction_level="city", jurisdiction="庆阳市",
                              region_code="621000")
    ds = helpers.call_action("package_create", ctx, **example_item("service_item", title="居住证办理",
                                                                   owner_org=org["id"]))
    published(ds)
    assert helpers.call_action("package_show", id=ds["id"])["organization"]["title"] == "市政务服务中心"
    assert titles_found("居住证", fq="organization:shizheng") == {"居住证办理"}
    # the same natural key (department + 事项名称) is the same item: no duplicate
    with pytest.raises(tk.ValidationError, match="already in use|已被使用"):
        helpers.call_action("package_create", ctx, **example_item("service_item", title="居住证办理",
                                                                  owner_org=org["id"]))


@pytest.mark.usefixtures("clean_db")
def test_home_page_renders_in_chinese_and_english_stays_reachable(app):
    zh = app.get("/")
    assert zh.status_code == 200
    assert '<html lang="zh-CN"' in zh.body                 # BCP 47, as screen readers expect
    assert "网上政务超市" in zh.body
    en = app.get("/en/")
    assert en.status_code == 200
    assert '<html lang="en"' in en.body and "Online Government Services" in en.body

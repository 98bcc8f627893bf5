"""Demo data (示例数据): generation without CKAN, and one load through the real action API."""
from __future__ import annotations

import collections
import datetime as dt
import json
import re
import time
from pathlib import Path

import pytest
from ckan.tests import helpers

from ckanext.qingyang import demo
from ckanext.qingyang.core import listdef, orgtree
from ckanext.qingyang.core.codes import QINGYANG_COUNTIES

TREE = Path(__file__).resolve().parents[4] / "catalogs" / "organizations.yaml"


@pytest.fixture(scope="module")
def orgs():
    return orgtree.read_tree(TREE)


@pytest.fixture(scope="module")
def by_name(orgs):
    return {o["name"]: o for o in orgs}


@pytest.fixture(scope="module")
def rows2000(orgs):
    return demo.generate(orgs, 2000)


def _header(type_name: str, field_name: str) -> str:
    return listdef.load_type(type_name).column(field_name).label


def _rows(generated, type_name):
    return [(org, row) for (org, t), rows in generated.items() if t == type_name for row in rows]


def test_same_seed_same_rows_other_seed_other_rows(orgs):
    first = demo.generate(orgs, 300, seed=2017)
    assert first == demo.generate(orgs, 300, seed=2017)
    assert json.dumps(list(first.items()), ensure_ascii=False) == \
        json.dumps(list(demo.generate(orgs, 300, seed=2017).items()), ensure_ascii=False)
    assert first != demo.generate(orgs, 300, seed=2018)


@pytest.mark.parametrize("size", [2000, 50000])
def test_every_row_validates(orgs, size):
    started = time.monotonic()
    generated = demo.generate(orgs, size)
    assert time.monotonic() - started < 20
    total = 0
    for (org, type_name), rows in generated.items():
        lt = listdef.load_type(type_name)
        assert all(set(row) == set(lt.headers) for row in rows)
        for number, row in enumerate(rows, 2):
            _, errors = listdef.row_to_item(lt, row, number)
            assert not errors, (org, type_name, row, [e.message for e in errors])
        total += len(rows)
    assert 0.9 * size <= total <= 1.1 * size


def test_every_type_present_and_natural_keys_unique(rows2000):
    assert {t for _, t in rows2000} == set(listdef.TYPE_NAMES)
    resource_codes = []
    for (org, type_name), rows in rows2000.items():
        lt = listdef.load_type(type_name)
        keys = [listdef.natural_key(lt, org, listdef.row_to_item(lt, row)[0]) for row in rows]
        assert len(keys) == len(set(keys)), (org, type_name)
        if type_name == "shared_resource":
            resource_codes += [k[0] for k in keys]
    # a resource's natural key is its code alone: unique across every department
    assert len(resource_codes) == len(set(resource_codes))


def test_every_allowed_share_and_open_combination_present(rows2000):
    share, open_ = _header("shared_resource", "share_type"), _header("shared_resource", "open_type")
    seen = {(row[share], row[open_]) for _, row in _rows(rows2000, "shared_resource")}
    # a resource is never more open to the public than it is shared among agencies
    assert seen == {("无条件共享", "无条件开放"), ("无条件共享", "有条件开放"), ("无条件共享", "不予开放"),
                    ("有条件共享", "有条件开放"), ("有条件共享", "不予开放"), ("不予共享", "不予开放")}
    for _, row in _rows(rows2000, "shared_resource"):
        assert bool(row[_header("shared_resource", "share_condition")]) == (row[share] == "有条件共享")
        assert bool(row[_header("shared_resource", "no_share_basis")]) == (row[share] == "不予共享")


def test_small_demo_still_has_every_combination_and_type(orgs):
    generated = demo.generate(orgs, 120)
    assert {t for _, t in generated} == set(listdef.TYPE_NAMES)
    share, open_ = _header("shared_resource", "share_type"), _header("shared_resource", "open_type")
    assert len({(row[share], row[open_]) for _, row in _rows(generated, "shared_resource")}) == 6


def test_every_county_jurisdiction_has_items(rows2000, by_name):
    counties = collections.Counter(by_name[org]["region_code"][:6] for org, _ in rows2000)
    assert set(QINGYANG_COUNTIES) <= set(counties)
    assert "621000" in counties


def test_responsibilities_name_a_power_of_the_same_department(rows2000):
    codes = collections.defaultdict(set)
    for org, row in _rows(rows2000, "power_item"):
        codes[org].add(row[_header("power_item", "code")])
    per_power = collections.Counter()
    for org, row in _rows(rows2000, "responsibility_item"):
        code = row[_header("responsibility_item", "power_code")]
        assert code in codes[org]
        per_power[(org, code)] += 1
    assert set(per_power.values()) <= {1, 2, 3}
    assert len(per_power) == sum(len(c) for c in codes.values())


def test_power_codes_follow_type_and_region(rows2000, by_name):
    lt = listdef.load_type("power_item")
    all_codes = []
    for org, row in _rows(rows2000, "power_item"):
        item, _ = listdef.row_to_item(lt, row)
        prefix, region, serial = item["code"].split("-")
        assert prefix == demo.POWER_PREFIX[item["power_type"]]
        assert region == by_name[org]["region_code"] and len(serial) == 4
        assert item["exercising_body"] == by_name[org]["title"]
        all_codes.append(item["code"])
    assert len(all_codes) == len(set(all_codes))


def test_approvals_come_from_licences(rows2000):
    licences = {(org, row[_header("power_item", "title")]) for org, row in _rows(rows2000, "power_item")
                if row[_header("power_item", "power_type")] == "行政许可"}
    approvals = _rows(rows2000, "approval_item")
    assert approvals
    for org, row in approvals:
        assert (org, row[_header("approval_item", "title")]) in licences
        promised, statutory = (int(row[_header("approval_item", f)]) for f in ("promised_days", "statutory_days"))
        assert promised <= statutory
        assert re.fullmatch(r"0934-\d{7}", row[_header("approval_item", "phone")])


def test_each_list_comes_from_the_right_office(rows2000, by_name):
    def roles(org):
        return by_name[org].get("roles") or []

    for org, t in rows2000:
        level = by_name[org]["jurisdiction_level"]
        assert level in ("city", "county"), (org, t)
        if t == "special_fund":
            assert "finance_bureau" in roles(org)
        if t in ("poverty_fund_plan", "poverty_project"):
            assert "poverty_office" in roles(org)
        if t == "poverty_project":
            assert level == "county"
        if t == "service_item":
            assert by_name[org]["kind"] == "department" or "service_center" in roles(org)
    years = {int(row[_header("special_fund", "budget_year")]) for _, row in _rows(rows2000, "special_fund")}
    assert years == {2023, 2024, 2025}
    sources = {row[_header("poverty_fund_plan", "fund_source")] for _, row in _rows(rows2000, "poverty_fund_plan")}
    assert sources == {"中央", "省", "市", "县"}


def test_projects_are_in_townships_and_villages_of_their_county(rows2000, by_name):
    towns = collections.defaultdict(set)
    for o in by_name.values():
        if o["jurisdiction_level"] == "township":
            towns[o["region_code"][:6]].add(o["title"].removesuffix("人民政府"))
    for org, row in _rows(rows2000, "poverty_project"):
        county = by_name[org]["region_code"]
        assert row[_header("poverty_project", "county")] == QINGYANG_COUNTIES[county]
        assert row[_header("poverty_project", "township")] in towns[county]
        village = row[_header("poverty_project", "village")]
        assert village.endswith("村") and village in row[_header("poverty_project", "title")]


def test_shared_resources_name_their_provider(rows2000, by_name):
    for org, row in _rows(rows2000, "shared_resource"):
        assert row[_header("shared_resource", "provider")] == by_name[org]["title"]
        assert row[_header("shared_resource", "provider_code")] == by_name[org]["uscc"]
        assert row[_header("shared_resource", "resource_code")].startswith(by_name[org]["region_code"] + "-")


def test_every_row_is_marked_as_demo_data(rows2000):
    for (org, t), rows in rows2000.items():
        for row in rows:
            assert any(demo.MARK in v for v in row.values()), (org, t, row)


def test_dates_are_not_after_the_reference_date(orgs):
    ref = dt.date(2025, 6, 30)
    generated = demo.generate(orgs, 500, reference_date=ref)
    for (_, t), rows in generated.items():
        lt = listdef.load_type(t)
        dates = [c.label for c in lt.columns if c.kind in ("qy_date", "qy_confirmed_date")]
        for row in rows:
            for h in dates:
                assert dt.date(2024, 1, 1) <= dt.date.fromisoformat(row[h]) <= ref


def test_datastore_table_follows_the_information_items(rows2000):
    types = {"字符型": "text", "数值型": "numeric", "日期型": "date", "日期时间型": "timestamp", "布尔型": "bool"}
    for _, row in _rows(rows2000, "shared_resource")[:60]:
        fields, records = demo.datastore_table(row)
        items = [p.split(":") for p in row[_header("shared_resource", "info_items")].split(";")]
        assert [(f["id"], f["type"]) for f in fields] == [(n, types[t]) for n, t in items]
        assert 5 <= len(records) <= 20
        assert all(set(r) == {f["id"] for f in fields} for r in records)
        json.dumps(records, ensure_ascii=False)
        assert (fields, records) == demo.datastore_table(row)


# ---------------------------------------------------------------- through CKAN
@pytest.mark.usefixtures("clean_db", "clean_index")
def test_load_through_the_action_api_then_rerun_changes_nothing(orgs):
    import ckan.plugins.toolkit as tk

    from ckanext.qingyang.cli import _site_action

    orgtree.load_tree(orgs, _site_action, tk.ObjectNotFound)
    generated = demo.generate(orgs, 120)
    expected = collections.Counter()
    for (_, t), rows in generated.items():
        expected[t] += len(rows)

    try:
        first = demo.load(generated, _site_action, tk.ObjectNotFound)
        assert first.errors == 0, first.messages
        assert {t: c["created"] for t, c in first.counts.items()} == dict(expected)
        assert first.tables_created == expected["shared_resource"]

        for t, n in expected.items():
            found = _site_action("package_search", {"fq": f"+dataset_type:{t}", "rows": 0, "include_private": True})
            assert found["count"] == n, t
        counties = _site_action("package_search", {"rows": 0, "include_private": True, "facet.field": '["county"]',
                                                    "facet.limit": -1})["facets"]["county"]
        assert set(counties) == set(QINGYANG_COUNTIES.values())

        shared = _site_action("package_search", {"fq": "+dataset_type:shared_resource", "rows": 1,
                                                  "include_private": True})["results"][0]
        data = [r for r in shared["resources"] if r.get("resource_role") == "data"]
        assert len(data) == 1 and data[0]["name"] == "数据表" and data[0]["datastore_active"]
        table = _site_action("datastore_search", {"resource_id": data[0]["id"]})
        assert 5 <= table["total"] <= 20

        # loading is not publishing: the demo publishes its own drafts, saying nobody reviewed them
        assert _site_action("package_search", {"rows": 0})["count"] == 0
        from ckanext.qingyang.publishing.demo import DEMO_REVIEWER, publish_demo_drafts

        assert publish_demo_drafts(demo.item_names(generated)) == sum(expected.values())
        assert helpers.call_action("package_search", {"user": ""}, rows=0)["count"] == sum(expected.values())
        from ckanext.qingyang.cli import _site_user_name

        record = tk.get_action("package_show")({"user": _site_user_name()}, {"id": shared["name"]})["publication"]
        assert record["state"] == "published" and record["reviews"][0]["reviewer"] == DEMO_REVIEWER
        assert publish_demo_drafts(demo.item_names(generated)) == 0

        again = demo.load(generated, _site_action, tk.ObjectNotFound)
        assert again.errors == 0 and again.changed == 0
        assert {t: c["unchanged"] for t, c in again.counts.items() if c["unchanged"]} == dict(expected)
        assert again.tables_present == expected["shared_resource"]
    finally:  # clean_db resets ckan_test but not the DataStore database
        found = _site_action("package_search", {"fq": "+dataset_type:shared_resource", "rows": 1000,
                                                "include_private": True})
        for pkg in found["results"]:
            for res in pkg["resources"]:
                if res.get("datastore_active"):
                    _site_action("datastore_delete", {"resource_id": res["id"], "force": True})


def test_the_best_known_items_are_always_in_the_demo():
    from pathlib import Path

    from ckanext.qingyang import demo
    from ckanext.qingyang.core import orgtree

    orgs = orgtree.read_tree(Path(__file__).resolve().parents[4] / "catalogs" / "organizations.yaml")
    for size in (300, 2000):
        titles = {r.get("名称") or r.get("项目名称") or r.get("事项名称")
                  for rows in demo.generate(orgs, size).values() for r in rows}
        assert {"建设用地规划许可证核发", "无犯罪记录证明开具", "城乡居民基本医疗保险参保登记"} <= titles


def test_every_generated_guide_row_validates(rows2000):
    """Approval and service items carry valid 办事指南 fields; some can be done online, some not."""
    generated = rows2000
    seen = {t: 0 for t in ("approval_item", "service_item")}
    online = 0
    for (org, type_name), rows in generated.items():
        if type_name not in ("approval_item", "service_item"):
            continue
        lt = listdef.load_type(type_name)
        for number, row in enumerate(rows, 2):
            item, errors = listdef.row_to_item(lt, row, number)
            assert not errors, (org, row, [e.message for e in errors])
            assert item["topics"] and item["audience"] and item["service_location"]
            assert 0 <= int(item["visits_required"]) <= 2 and item["complaint_phone"] == "12345"
            online += item["online"] == "yes"
            seen[type_name] += 1
    assert all(seen.values()), seen
    assert 0 < online < sum(seen.values())

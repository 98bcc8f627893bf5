"""The bulk writer behind qingyang_list_import: fast, yet what it writes reads like CKAN's own."""
import hashlib

import pytest

import ckan.lib.search as search
import ckan.plugins.toolkit as tk
from ckan.tests import factories, helpers

from ckanext.qingyang.catalog import bulk
from ckanext.qingyang.core import listdef
from ckanext.qingyang.tests.factories import department, example_item, example_row

VOLATILE = {"id", "name", "metadata_created", "metadata_modified", "creator_user_id", "title", "code",
            "organization", "owner_org"}


@pytest.fixture()
def dept(clean_db, clean_index):
    return department(name="qingyang-civil-affairs", title="庆阳市民政局")


def _import(org, type_name, rows, user):
    return helpers.call_action("qingyang_list_import", {"user": user["name"]},
                               organization=org["name"], type=type_name, rows=rows)


def test_a_bulk_created_item_reads_like_one_from_package_create(dept):
    user = factories.Sysadmin()
    _import(dept, "power_item", [example_row("power_item", **{"名称": "批量事项", "编码": "XK-621000-0101"})], user)
    lt = listdef.load_type("power_item")
    item, _ = listdef.row_to_item(lt, example_row("power_item", **{"名称": "逐条事项", "编码": "XK-621000-0102"}))
    helpers.call_action("package_create", {"user": user["name"]},
                        **dict(example_item("power_item", owner_org=dept["id"]), **{
                            k: v for k, v in item.items() if v is not None},
                            name=listdef.natural_name(lt, dept["name"], item),
                            list_status_reason=""))
    found = {d["title"]: d for d in helpers.call_action("package_search", q="事项", rows=10, include_private=True)["results"]}
    bulk_item, plain_item = found["批量事项"], found["逐条事项"]
    assert {k: v for k, v in bulk_item.items() if k not in VOLATILE} == \
        {k: v for k, v in plain_item.items() if k not in VOLATILE}
    assert bulk_item["organization"]["name"] == dept["name"]
    # history: the item's activity stream starts with its creation by the importing user
    stream = helpers.call_action("package_activity_list", {"user": user["name"]}, id=bulk_item["id"])
    assert [(a["activity_type"], a["user_id"]) for a in stream] == [("new package", user["id"])]
    assert stream[0]["data"]["package"]["title"] == "批量事项"
    assert helpers.call_action("organization_show", {"user": user["name"]}, id=dept["name"])["package_count"] == 2


def test_a_draft_changed_by_a_reimport_gets_its_changed_activity_like_an_edit(dept):
    # found by bench/load_mixed.py: re-imported drafts changed without a trace in their history
    user = factories.Sysadmin()
    _import(dept, "service_item", [example_row("service_item", **{"事项名称": "便民事项", "服务内容": "第一稿"})], user)
    report = _import(dept, "service_item", [example_row("service_item", **{"事项名称": "便民事项", "服务内容": "第二稿"})], user)
    assert report["updated"] == 1
    name = report["names"][0]
    stream = helpers.call_action("package_activity_list", {"user": user["name"]}, id=name)
    assert [a["activity_type"] for a in stream] == ["changed package", "new package"]
    assert stream[0]["data"]["package"]["service_content"] == "第二稿"
    # unchanged rows write nothing
    _import(dept, "service_item", [example_row("service_item", **{"事项名称": "便民事项", "服务内容": "第二稿"})], user)
    assert len(helpers.call_action("package_activity_list", {"user": user["name"]}, id=name)) == 2
    # and an edit through the API, as the form sends it, is recorded the same way
    helpers.call_action("package_patch", {"user": user["name"]}, id=name, service_content="第三稿")
    stream = helpers.call_action("package_activity_list", {"user": user["name"]}, id=name)
    assert [a["activity_type"] for a in stream] == ["changed package"] * 2 + ["new package"]
    assert stream[0]["data"]["package"]["service_content"] == "第三稿"


def test_rows_beyond_one_transaction_all_load_and_a_bad_row_costs_only_itself(dept, monkeypatch):
    monkeypatch.setattr(bulk, "CREATE_CHUNK", 3)   # a small chunk: seven rows cross two boundaries
    user = factories.Sysadmin()
    rows = [example_row("service_item", **{"事项名称": f"便民事项{i}"}) for i in range(7)]
    rows[4]["办结时限"] = "0"
    report = _import(dept, "service_item", rows, user)
    assert report["created"] == 6
    assert [(e["row"], e["column"]) for e in report["errors"]] == [(6, "办结时限")]
    titles = {d["title"] for d in helpers.call_action(
        "package_search", fq="dataset_type:service_item", rows=20, include_private=True)["results"]}
    assert titles == {f"便民事项{i}" for i in range(7) if i != 4}


def test_an_item_the_index_lost_is_indexed_again_by_the_next_import(dept):
    """A crash after the database commit and before Solr's: the rerun repairs the index."""
    user = factories.Sysadmin()
    rows = [example_row("service_item", **{"事项名称": f"便民事项{i}"}) for i in range(3)]
    _import(dept, "service_item", rows, user)
    lost = helpers.call_action("package_search", q="便民事项1", include_private=True)["results"][0]
    conn = search.make_connection()
    # CKAN's unique key of a dataset's Solr document
    conn.delete(id=hashlib.md5(f"{lost['id']}{tk.config.get('ckan.site_id')}".encode()).hexdigest(), commit=True)
    assert helpers.call_action("package_search", fq="dataset_type:service_item", include_private=True)["count"] == 2

    again = _import(dept, "service_item", rows, user)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert again["reindexed"] == 1
    assert helpers.call_action("package_search", fq="dataset_type:service_item", include_private=True)["count"] == 3

"""The 办事指南 fields of approval and service items: 主题分类 and 服务对象 from the core's
topics.yaml, several choices in one cell, the conditional 网办地址, optional columns."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from ckanext.qingyang.core import listdef, parsing, spreadsheets

GUIDE_TYPES = ("approval_item", "service_item")
GUIDE_FIELDS = ("audience", "topics", "acceptance_conditions", "service_location", "service_hours",
                "visits_required", "online", "online_url", "phone", "complaint_phone")


def _example(lt: listdef.ListType, **cells: str) -> dict[str, str]:
    row = spreadsheets.example_row(lt)
    row.update(cells)
    return row


@pytest.mark.parametrize("type_name", GUIDE_TYPES)
def test_topic_and_audience_choices_are_the_topics_file(type_name):
    data = yaml.safe_load(listdef.TOPICS_FILE.read_text(encoding="utf-8"))
    lt = listdef.load_type(type_name)
    for field_name, section in (("topics", "topics"), ("audience", "audiences")):
        col = lt.column(field_name)
        assert [(c.value, c.label, c.label_en) for c in col.choices] == \
            [(t["code"], t["label"], t["label_en"]) for t in data[section]]
    codes = [a["code"] for a in data["audiences"]]
    assert all(set(t["audiences"]) <= set(codes) and t["audiences"] for t in data["topics"])
    assert len({t["code"] for t in data["topics"]}) == len({t["label"] for t in data["topics"]}) \
        == len(data["topics"])


def test_topics_file_is_package_data_of_the_core():
    setup = (Path(__file__).resolve().parents[5] / "setup.py").read_text(encoding="utf-8")
    assert listdef.TOPICS_FILE.parent == Path(listdef.__file__).parent
    assert '"topics.yaml"' in setup


@pytest.mark.parametrize("type_name", GUIDE_TYPES)
def test_every_guide_field_is_an_optional_column(type_name):
    lt = listdef.load_type(type_name)
    for f in GUIDE_FIELDS:
        col = lt.column(f)
        if type_name == "approval_item" and f == "phone":
            continue   # 咨询电话 was in the approval list before
        assert col.optional and not col.required and col.label not in lt.required_headers, f


def test_topics_cell_parses_to_codes_and_formats_back():
    lt = listdef.load_type("service_item")
    col = lt.column("topics")
    item, errors = listdef.row_to_item(lt, _example(lt, 主题分类="婚姻登记;户籍办理", 服务对象="个人"))
    assert not errors, [e.message for e in errors]
    # stored in the taxonomy's order, whatever order the cell gives
    assert item["topics"] == ["household_registration", "marriage_registration"]
    assert item["audience"] == ["personal"]
    cell = listdef.format_cell(col, item["topics"])
    assert cell == "户籍办理;婚姻登记"
    assert listdef.parse_value(col, cell) == item["topics"]
    # CKAN stores it as JSON; the export reads that back to the same cell
    assert listdef.format_cell(col, '["household_registration", "marriage_registration"]') == cell
    assert listdef.parse_value(col, "户籍办理;婚姻登记;户籍办理") == item["topics"]


def test_an_unknown_topic_is_refused_in_chinese():
    lt = listdef.load_type("approval_item")
    _, errors = listdef.row_to_item(lt, _example(lt, 主题分类="婚姻登记;外星事务"))
    (e,) = errors
    assert e.field_name == "topics" and "主题分类" in e.message and "外星事务" in e.message


@pytest.mark.parametrize("type_name", GUIDE_TYPES)
def test_online_without_an_address_is_refused(type_name):
    lt = listdef.load_type(type_name)
    _, errors = listdef.row_to_item(lt, _example(lt, 是否可网上办理="是", 网办地址=""))
    (e,) = errors
    assert e.field_name == "online_url"
    assert e.message == "网办地址:是否可网上办理为“是”时必填"
    _, errors = listdef.row_to_item(lt, _example(lt, 是否可网上办理="否", 网办地址=""))
    assert errors == []
    _, errors = listdef.row_to_item(lt, _example(lt, 网办地址="zwfw.gansu.gov.cn"))
    assert [e.field_name for e in errors] == ["online_url"] and "网址" in errors[0].message


def test_visits_and_phones_follow_their_rules():
    lt = listdef.load_type("service_item")
    for cell, ok in (("0", True), ("5", True), ("6", False), ("-1", False)):
        _, errors = listdef.row_to_item(lt, _example(lt, 到现场次数=cell))
        assert (errors == []) is ok, (cell, [e.message for e in errors])
    _, errors = listdef.row_to_item(lt, _example(lt, 监督投诉电话="12345", 咨询电话="0934-8213456"))
    assert errors == []
    _, errors = listdef.row_to_item(lt, _example(lt, 监督投诉电话="110"))
    assert [e.field_name for e in errors] == ["complaint_phone"] and errors[0].message.startswith("监督投诉电话:")


@pytest.mark.parametrize("type_name", GUIDE_TYPES)
def test_a_file_without_the_new_columns_still_loads(type_name):
    lt = listdef.load_type(type_name)
    before = [c for c in lt.columns if not c.optional]   # the list as departments send it today
    csv = "\ufeff" + ",".join(c.label for c in before) + "\n" + ",".join(
        c.example or (c.choices[0].label if c.choices else "") for c in before) + "\n"
    table = parsing.read_table(csv.encode("utf-8"), "list.csv", lt)
    assert table.cell_errors == []
    (row,) = table.rows
    item, errors = listdef.row_to_item(lt, row)
    assert errors == [], [e.message for e in errors]
    assert all(item[f] is None for f in GUIDE_FIELDS if lt.column(f).optional)


def test_instructions_name_the_condition_and_the_optional_columns():
    lt = listdef.load_type("service_item")
    by_label = {r[0]: r for r in spreadsheets.instructions(lt)}
    assert by_label["网办地址"][2] == "条件必填:是否可网上办理为“是”时必填(可不要此列)"
    assert by_label["主题分类"][2] == "选填(可不要此列)"
    assert "生育收养" in by_label["主题分类"][4]
    assert by_label["清单状态"][2] == "选填(可不要此列;空白即“有效”)"

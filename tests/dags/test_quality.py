"""Validating a file with its list's GX suite (building the suites: core/tests/test_suites.py).

Pure: no Airflow, no CKAN. Items are built the way the pipeline builds them:
spreadsheet rows keyed by Chinese header -> ``listdef.row_to_item``. A failure
GX must catch after listdef (a negative amount, a broken code, ...) is planted
in the checked item afterwards, as a second line of defence would meet it.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time

import pytest
from ckanext.qingyang.core import listdef, spreadsheets, suites

from qingyang_pipeline import quality

TODAY = dt.date(2025, 7, 1)  # the schema examples are confirmed on 2025-06-30
KNOWN_POWER = "XK-621000-0001"  # responsibility_item's example power code
ROWS = [2, 3, 4]  # file rows (row 1 is the header)


# ---------------------------------------------------------------- helpers
def lt_of(type_name: str) -> listdef.ListType:
    return listdef.load_type(type_name)


def params(lt, **overrides):
    return {**suites.suite_params(lt, TODAY, known_power_codes=[KNOWN_POWER]), **overrides}


def _distinct(lt: listdef.ListType, row: dict, i: int) -> dict:
    """Row i of a file: the example row with a natural key of its own."""
    key = [k for k in lt.natural_key if k != "owner_org"][-1]
    col = lt.column(key)
    value = row[col.label]
    row = dict(row)
    row[col.label] = re.sub(r"\d$", str(i), value) if col.pattern else f"{value}{i}"
    return row


def valid_items(type_name: str, n: int = len(ROWS)) -> list[dict]:
    lt = lt_of(type_name)
    items = []
    for i in range(n):
        item, errors = listdef.row_to_item(lt, _distinct(lt, spreadsheets.example_row(lt), i + 1), i + 2)
        assert errors == [], errors
        items.append(item)
    return items


def run(type_name: str, items: list[dict], rows=ROWS, **kw):
    lt = lt_of(type_name)
    return quality.validate(lt, items, rows, kw.pop("params", None) or params(lt), **kw)


def flagged(result, field_name: str | None = None, etype: str | None = None) -> list[tuple]:
    return sorted(
        ((f.row_number or 0), f.field_name, f.label, f.expectation_type)
        for f in result.failures
        if (field_name is None or f.field_name == field_name)
        and (etype is None or f.expectation_type == etype))


def only_failures(result) -> set[tuple]:
    return {(f.row_number, f.field_name, f.label, f.expectation_type) for f in result.failures}


# ---------------------------------------------------------------- the suites
@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_gx_accepts_every_expectation(type_name):
    import great_expectations as gx

    gx.get_context(mode="ephemeral")
    suite = quality.load_suite(type_name)
    gx_suite = gx.ExpectationSuite(**suite)
    assert [e.expectation_type for e in gx_suite.expectations] == [e["type"] for e in suite["expectations"]]


def test_importing_quality_does_not_import_gx_or_pandas():
    code = ("import sys; sys.path.insert(0, 'dags'); import qingyang_pipeline.quality; "
            "bad = {'great_expectations', 'pandas', 'airflow', 'ckan'} & set(sys.modules); "
            "assert not bad, bad")
    out = subprocess.run([sys.executable, "-c", code], cwd=quality.REPO_ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


# ---------------------------------------------------------------- valid files
@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_valid_file_passes(type_name):
    result = run(type_name, valid_items(type_name))
    assert result.failures == []
    assert result.success, [s for s in result.summary if not s.success]
    stats = result.statistics
    assert stats["unsuccessful_expectations"] == 0
    assert stats["evaluated_expectations"] == len(quality.load_suite(type_name)["expectations"])
    assert stats["success_percent"] == 100.0
    assert all(s.success and s.exception is None for s in result.summary)
    json.dumps(result.to_dict(), ensure_ascii=False)


def test_frame_holds_numbers_as_numbers():
    lt = lt_of("poverty_project")
    frame = quality.build_frame(lt, valid_items("poverty_project"), ROWS)
    for f in ("year", "fund_central", "households", "beneficiaries"):
        assert str(frame[f].dtype) == "float64", f
    assert str(frame["confirmed_date__date"].dtype).startswith("datetime64")
    assert frame["confirmed_date"].tolist() == ["2025-06-30"] * 3
    assert frame["_row"].tolist() == ROWS


# ---------------------------------------------------------------- targeted failures
def test_null_required_field():
    items = valid_items("power_item")
    items[1]["title"] = None
    result = run("power_item", items)
    assert not result.success
    assert only_failures(result) == {(3, "title", "名称", "expect_column_values_to_not_be_null")}
    assert result.failures[0].message_zh == "名称:必填,不能为空"
    (s,) = [s for s in result.summary if not s.success]
    assert (s.column, s.unexpected_count) == ("title", 1)


def test_value_out_of_set():
    items = valid_items("power_item")
    items[2]["power_type"] = "licence"
    result = run("power_item", items)
    assert only_failures(result) == {(4, "power_type", "类型", "expect_column_values_to_be_in_set")}
    (f,) = result.failures
    assert f.value == "licence" and "行政许可" in f.message_zh and "row 4" in f.message_en


def test_bad_code_pattern():
    items = valid_items("power_item")
    items[0]["code"] = "XK-62-1"
    result = run("power_item", items)
    assert only_failures(result) == {(2, "code", "编码", "expect_column_values_to_match_regex")}
    assert "XK-621000-0001" in result.failures[0].message_zh  # the pattern hint


def test_duplicate_compound_natural_key_flags_both_rows():
    items = valid_items("poverty_fund_plan")
    items[2]["purpose"] = items[0]["purpose"]  # same year, county, fund source, purpose
    result = run("poverty_fund_plan", items)
    assert only_failures(result) == {
        (2, "purpose", "用途", "expect_compound_columns_to_be_unique"),
        (4, "purpose", "用途", "expect_compound_columns_to_be_unique"),
    }
    first = result.failures_for(2)[0]
    assert "与第 4 行相同" in first.message_zh and "年度+县区+资金来源+用途" in first.message_zh


def test_duplicate_single_natural_key_flags_both_rows():
    items = valid_items("shared_resource")
    items[1]["resource_code"] = items[2]["resource_code"]
    result = run("shared_resource", items)
    assert only_failures(result) == {
        (3, "resource_code", "信息资源代码", "expect_column_values_to_be_unique"),
        (4, "resource_code", "信息资源代码", "expect_column_values_to_be_unique"),
    }


def test_negative_amount():
    items = valid_items("special_fund")
    items[1]["budget_amount"] = "-5"
    result = run("special_fund", items)
    assert only_failures(result) == {(3, "budget_amount", "预算数额", "expect_column_values_to_be_between")}
    assert result.failures[0].value == "-5"


def test_days_year_and_date_validity():
    items = valid_items("approval_item")
    items[0]["statutory_days"] = "0"
    items[0]["promised_days"] = "0"
    items[1]["confirmed_date"] = "2025/06/30"
    result = run("approval_item", items)
    assert only_failures(result) == {
        (2, "statutory_days", "法定办结时限", "expect_column_values_to_be_between"),
        (2, "promised_days", "承诺办结时限", "expect_column_values_to_be_between"),
        (3, "confirmed_date", "最后确认日期", "expect_column_values_to_match_regex"),
    }
    items = valid_items("special_fund")
    items[2]["budget_year"] = "1999"
    result = run("special_fund", items)
    assert only_failures(result) == {(4, "budget_year", "预算年度", "expect_column_values_to_be_between")}


def test_promised_days_above_statutory_days():
    items = valid_items("approval_item")
    items[0].update(statutory_days="20", promised_days="30")
    items[1].update(statutory_days="20", promised_days="20")  # equal is fine
    result = run("approval_item", items)
    assert only_failures(result) == {
        (2, "promised_days", "承诺办结时限", "expect_column_pair_values_a_to_be_greater_than_b")}
    assert "不能超过法定办结时限" in result.failures[0].message_zh


def test_unknown_power_code_is_a_reference_failure():
    items = valid_items("responsibility_item")
    items[1]["power_code"] = "XK-621000-0099"
    result = run("responsibility_item", items)
    assert only_failures(result) == {
        (3, "power_code", "对应职权编码", "expect_column_values_to_be_in_set")}
    assert result.failures[0].value == "XK-621000-0099"
    assert result.failures[0].dimension == "reference"
    lt = lt_of("responsibility_item")
    known = params(lt, known_power_codes=[KNOWN_POWER, "XK-621000-0099"])
    assert run("responsibility_item", items, params=known).success


def test_power_codes_must_be_given():
    lt = lt_of("responsibility_item")
    with pytest.raises(ValueError, match="known_power_codes"):
        quality.validate(lt, valid_items("responsibility_item"), ROWS, suites.suite_params(lt, TODAY))


def test_confirmed_date_in_the_future_or_older_than_the_cycle():
    lt = lt_of("poverty_project")
    assert lt.update_cycle_days == 30
    items = valid_items("poverty_project")
    items[0]["confirmed_date"] = "2025-07-02"  # tomorrow
    items[1]["confirmed_date"] = "2025-05-31"  # 31 days old
    items[2]["confirmed_date"] = "2025-06-01"  # 30 days old: still fine
    result = run("poverty_project", items)
    assert only_failures(result) == {
        (2, "confirmed_date", "最后确认日期", "expect_column_values_to_be_between"),
        (3, "confirmed_date", "最后确认日期", "expect_column_values_to_be_between"),
    }
    assert {f.dimension for f in result.failures} == {"timeliness"}
    assert "未来" in result.failures_for(2)[0].message_zh
    assert "更新周期(30 天)" in result.failures_for(3)[0].message_zh
    assert result.params["confirmed_min"] == "2025-06-01T00:00:00"


def test_timeliness_defaults_to_today():
    items = valid_items("service_item")
    for item in items:
        item["confirmed_date"] = dt.date.today().isoformat()
    lt = lt_of("service_item")
    assert quality.validate(lt, items, ROWS, {}).success


def test_shared_resource_not_shared_needs_a_basis():
    items = valid_items("shared_resource")
    items[0].update(share_type="none", no_share_basis=None, open_type="closed")  # missing basis
    items[1].update(share_type="none", open_type="closed")  # the example has a basis
    items[2].update(share_type="unconditional", no_share_basis=None)  # not needed
    result = run("shared_resource", items)
    assert only_failures(result) == {
        (2, "no_share_basis", "不予共享依据", "expect_column_values_to_not_be_null")}
    assert result.failures[0].message_zh == "不予共享依据:共享类型为“不予共享”时必填"


def test_row_numbers_are_the_file_rows_not_positions():
    items = valid_items("power_item")
    items[2]["title"] = None
    result = run("power_item", items, rows=[2, 7, 15])
    assert [f.row_number for f in result.failures] == [15]


def test_missing_column_is_one_file_level_failure():
    items = valid_items("power_item")
    for item in items:
        del item["status"]  # adjustment_reason's condition reads status too
    result = run("power_item", items)
    assert only_failures(result) == {(None, "status", "状态", "expect_column_to_exist")}
    assert result.failures[0].message_zh == "状态:文件中必须有此列"
    assert any(s.exception for s in result.summary)  # the dependent rules could not run


def test_failures_come_sorted_and_complete():
    items = valid_items("power_item", 4)
    items[3]["title"] = None
    items[1]["power_type"] = "x"
    items[1]["code"] = "bad"
    result = run("power_item", items, rows=[2, 3, 4, 5])
    assert [(f.row_number, f.field_name) for f in result.failures] == [
        (3, "code"), (3, "power_type"), (5, "title")]
    assert result.statistics["unsuccessful_expectations"] == 3


# ---------------------------------------------------------------- Data Docs
def test_data_docs_are_written(tmp_path):
    items = valid_items("power_item")
    items[1]["power_type"] = "licence"
    docs = tmp_path / "run-1"
    result = run("power_item", items, docs_dir=docs, run_name="run-1")
    assert result.docs_index == docs / "index.html"
    index = result.docs_index.read_text(encoding="utf-8")
    assert "qingyang_power_item" in index
    (page,) = (docs / "validations" / "qingyang_power_item").rglob("*.html")
    html = page.read_text(encoding="utf-8")
    assert "qingyang_power_item" in html and "licence" in html
    suite_page = (docs / "expectations" / "qingyang_power_item.html").read_text(encoding="utf-8")
    assert "类型:不是允许的取值" in suite_page  # the Chinese rule, as the expectation's note
    assert not result.success and len(result.failures) == 1


# ---------------------------------------------------------------- performance
def test_100k_rows_validate_in_seconds():
    lt = lt_of("power_item")
    (base,) = valid_items("power_item", 1)
    n = 100_000
    items = [{**base, "code": f"XK-62{i:07d}-0001"} for i in range(n)]
    rows = list(range(2, n + 2))
    started = time.perf_counter()
    result = quality.validate(lt, items, rows, params(lt))
    seconds = time.perf_counter() - started
    assert result.success and result.row_count == n
    assert seconds < 20, f"100k rows took {seconds:.1f} s"


def test_unconvertible_number_is_reported_with_its_value():
    items = valid_items("special_fund")
    items[0]["budget_amount"] = "一千"  # listdef would have refused it; GX sees a null number
    result = run("special_fund", items)
    assert only_failures(result) == {(2, "budget_amount", "预算数额", "expect_column_values_to_not_be_null")}
    assert result.failures[0].message_zh == "预算数额:“一千”不是有效的数值"



def test_a_resource_more_open_than_shared_is_refused_naming_row_and_field():
    items = valid_items("shared_resource")
    items[0].update(share_type="none", open_type="closed")
    items[1].update(share_type="none", open_type="open")
    items[2].update(share_type="conditional", share_condition="仅限监管使用", open_type="open")
    result = run("shared_resource", items)
    assert only_failures(result) == {
        (3, "open_type", "开放属性", "expect_column_values_to_be_in_set"),
        (4, "open_type", "开放属性", "expect_column_values_to_be_in_set")}
    assert result.failures_for(3)[0].message_zh == "开放属性:“无条件开放”与共享类型“不予共享”不相符,应为 不予开放"
    assert "应为 有条件开放、不予开放" in result.failures_for(4)[0].message_zh

"""The GX suites of the 8 list types, built from the list definitions: in sync with the
committed expectations/<type>.json, and following every rule of the schemas.

Pure: neither Great Expectations nor CKAN (validating with the suites: tests/dags/test_quality.py).
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.qingyang.core import listdef, suites

EXPECTATIONS = Path(__file__).resolve().parents[5] / "expectations"


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_committed_suite_is_in_sync_with_the_schema(type_name):
    path = suites.suite_path(type_name, EXPECTATIONS)
    assert path.exists(), f"{path} missing; run: {suites.BUILD_COMMAND}"
    assert path.read_text(encoding="utf-8") == suites.suite_json(suites.build_suite(type_name)), (
        f"expectations/{type_name}.json differs from the schema "
        f"(schemas/{type_name}.yaml or presets.json changed); run: {suites.BUILD_COMMAND}")


def test_sync_check_detects_a_stale_or_hand_edited_suite(tmp_path):
    suites.write_suites(tmp_path)
    assert suites.stale_suites(tmp_path) == []
    path = suites.suite_path("approval_item", tmp_path)
    suite = json.loads(path.read_text(encoding="utf-8"))
    suite["expectations"].pop()
    path.write_text(suites.suite_json(suite), encoding="utf-8")
    suites.suite_path("power_item", tmp_path).unlink()
    assert suites.stale_suites(tmp_path) == ["power_item", "approval_item"]


def test_build_script_check_mode():
    out = subprocess.run([sys.executable, str(EXPECTATIONS / "build.py"), "--check"],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_build_is_deterministic():
    for t in listdef.TYPE_NAMES:
        assert suites.suite_json(suites.build_suite(t)) == suites.suite_json(suites.build_suite(t))
        text = suites.suite_json(suites.build_suite(t))
        assert text.endswith("}\n") and "\\u" not in text  # Chinese as is


@pytest.mark.parametrize("type_name", listdef.TYPE_NAMES)
def test_suite_follows_the_list_definition(type_name):
    lt = listdef.load_type(type_name)
    suite = suites.load_suite(type_name, EXPECTATIONS)
    assert suite["name"] == f"qingyang_{type_name}"
    assert "请勿手工修改" in suite["meta"]["do_not_edit"]
    exps = suite["expectations"]
    by = {}
    for e in exps:
        by.setdefault((e["type"], e["kwargs"].get("column")), []).append(e)
        assert e["meta"]["label"] and re.search(r"[\u4e00-\u9fff]", e["meta"]["description_zh"]), e
    for col in lt.columns:
        f = col.field_name
        assert ("expect_column_to_exist", f) in by, f
        nn = by.get(("expect_column_values_to_not_be_null", f), [])
        if col.required:
            assert len(nn) == 1 and "row_condition" not in nn[0]["kwargs"], f
        elif col.required_when:
            assert len(nn) == 1 and nn[0]["kwargs"]["row_condition"]["type"] in ("comparison", "or"), f
        else:
            assert nn == [], f
        if col.kind in listdef.MULTI_CHOICE_KINDS:
            # several values in one cell: each must be a choice
            (e,) = by[("expect_column_values_to_match_regex", f)]
            regex = re.compile(e["kwargs"]["regex"])
            values = [c.value for c in col.choices]
            assert regex.match(";".join(values)) and all(regex.match(v) for v in values), f
            assert not regex.match(values[0] + ";no_such_value"), f
        elif col.choices:
            in_set = by[("expect_column_values_to_be_in_set", f)]
            (e,) = [e for e in in_set if "row_condition" not in e["kwargs"]]
            assert e["kwargs"]["value_set"] == [c.value for c in col.choices]
            # one conditional set per value of another field that narrows this one
            assert len(in_set) - 1 == sum(len(rules) for rules in col.allowed_with.values()), f
        if col.pattern:
            assert any(e["kwargs"]["regex"] == col.pattern
                       for e in by[("expect_column_values_to_match_regex", f)]), f
        if col.kind == "qy_decimal":
            (e,) = by[("expect_column_values_to_be_between", f)]
            assert e["kwargs"] == {"column": f, "min_value": 0}
        if col.kind == "qy_days":
            (e,) = by[("expect_column_values_to_be_between", f)]
            assert e["kwargs"]["min_value"] == 1
        if col.kind == "qy_year":
            (e,) = by[("expect_column_values_to_be_between", f)]
            assert (e["kwargs"]["min_value"], e["kwargs"]["max_value"]) == (2000, 2100)
        if col.kind == "qy_count" and col.maximum is not None:
            (e,) = by[("expect_column_values_to_be_between", f)]
            assert (e["kwargs"]["min_value"], e["kwargs"]["max_value"]) == (0, col.maximum)
        if col.kind == "qy_power_ref":
            (e,) = by[("expect_column_values_to_be_in_set", f)]
            assert e["kwargs"]["value_set"] == {"$PARAMETER": "known_power_codes"}
    key = [k for k in lt.natural_key if k != "owner_org"]
    unique = [e for e in exps if e["meta"]["dimension"] == "uniqueness"]
    assert len(unique) == 1
    assert unique[0]["kwargs"].get("column_list", [unique[0]["kwargs"].get("column")]) == key
    (timely,) = [e for e in exps if e["meta"]["dimension"] == "timeliness"]
    assert timely["kwargs"]["min_value"] == {"$PARAMETER": "confirmed_min"}
    assert timely["kwargs"]["max_value"] == {"$PARAMETER": "confirmed_max"}
    assert timely["meta"]["field_name"] == "confirmed_date"


def test_cross_field_and_conditional_rules_present():
    approval = suites.load_suite("approval_item", EXPECTATIONS)["expectations"]
    (pair,) = [e for e in approval if e["type"] == "expect_column_pair_values_a_to_be_greater_than_b"]
    assert pair["kwargs"]["column_A"] == "statutory_days" and pair["kwargs"]["column_B"] == "promised_days"
    assert pair["kwargs"]["or_equal"] is True
    shared = suites.load_suite("shared_resource", EXPECTATIONS)["expectations"]
    (cond,) = [e for e in shared if e["meta"]["check"] == "required_when"
               and e["kwargs"]["column"] == "no_share_basis"]
    assert cond["kwargs"]["row_condition"] == {
        "type": "comparison", "column": {"name": "share_type"}, "operator": "IN", "parameter": ["none"]}
    assert "不予共享" in cond["meta"]["description_zh"]

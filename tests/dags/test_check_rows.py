"""The check step of the pipeline on a parsed file (collect.check_rows), without CKAN."""
from __future__ import annotations

import datetime as dt
import logging

import pytest

from ckanext.qingyang.core import listdef, parsing, spreadsheets, suites

TODAY = dt.date(2026, 11, 1)


@pytest.fixture()
def collect():
    from qingyang_pipeline import collect

    return collect


@pytest.fixture()
def warnings_logged(caplog, monkeypatch, collect):
    """The module's log records, each once, whatever logging config Airflow loaded before."""
    monkeypatch.setattr(collect.log, "propagate", False)
    monkeypatch.setattr(collect.log, "disabled", False)
    collect.log.addHandler(caplog.handler)
    yield caplog
    collect.log.removeHandler(caplog.handler)


def test_a_classification_marker_is_reported_and_the_row_still_loads(collect, warnings_logged):
    lt = listdef.load_type("service_item")
    rows = []
    for n in (1, 2, 3):
        row = spreadsheets.example_row(lt)
        row.update({"事项名称": f"便民事项{n:03d}", "最后确认日期": "2026-10-01"})
        rows.append(row)
    rows[1]["服务内容"] = "按内部资料办理"                      # file row 3
    rows[2]["管理要求"] = "执行《中华人民共和国保守国家秘密法》"   # a cited title is no marking
    table = parsing.read_table(spreadsheets.to_csv(lt, rows), "清单.csv", lt)

    items, numbers, problems, _ = collect.check_rows(lt, table, suites.suite_params(lt, today=TODAY), None)

    assert numbers == [2, 3, 4] and len(items) == 3
    (marker,) = problems
    assert (marker.row, marker.column, marker.value, marker.blocking) == (3, "服务内容", "按内部资料办理", False)
    assert marker.message_zh.startswith("第 3 行“服务内容”含有密级标志“内部资料”"), marker.message_zh
    assert "草稿" in marker.message_zh
    assert marker.message_en.startswith("row 3: field ") and "classification marker '内部资料'" in marker.message_en
    assert [r.getMessage() for r in warnings_logged.records if r.levelno == logging.WARNING] == [marker.message_en]

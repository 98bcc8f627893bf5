"""Deadlines in working days: the national calendar (chinesecalendar), the local override
file, a year the library does not know yet, and the due-on / days-left / overdue helpers.
Pure: no database, no CKAN."""
from __future__ import annotations

import datetime as dt
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from ckanext.qingyang.core import deadlines

CATALOGS = Path(__file__).resolve().parents[5] / "catalogs"
NATIONAL = deadlines.Calendar()   # no local overrides: the library's calendar alone
D = dt.date


@pytest.fixture()
def warnings_logged(caplog, monkeypatch):
    """The module's log records, each once, whatever the logging config propagates."""
    monkeypatch.setattr(deadlines.log, "propagate", False)
    monkeypatch.setattr(deadlines.log, "disabled", False)     # a logging config loaded later disables it
    deadlines.log.addHandler(caplog.handler)
    yield caplog
    deadlines.log.removeHandler(caplog.handler)


def _closures_file(folder: Path, text: str) -> Path:
    (folder / deadlines.LOCAL_CLOSURES).write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize("day, working", [
    (D(2026, 11, 25), True),     # a plain Wednesday
    (D(2026, 11, 28), False),    # a plain Saturday
    (D(2026, 2, 14), True),      # Saturday, 调休 working day before 春节 2026
    (D(2026, 2, 16), False),     # 春节 2026: 16-20 and 23 February are days off
    (D(2026, 2, 20), False),
    (D(2026, 2, 23), False),
    (D(2026, 2, 28), True),      # Saturday, 调休 working day after 春节 2026
    (D(2026, 9, 20), True),      # Sunday, 调休 for 国庆 2026
    (D(2026, 10, 1), False),     # 国庆 2026: 1-7 October off
    (D(2026, 10, 7), False),
    (D(2026, 10, 8), True),
    (D(2026, 10, 10), True),     # Saturday, 调休 for 国庆 2026
    (D(2025, 1, 26), True),      # Sunday, 调休 before 春节 2025
    (D(2025, 2, 4), False),      # last day of 春节 2025
    (D(2025, 10, 8), False),     # 国庆 and 中秋 2025: 1-8 October off
    (D(2025, 10, 11), True),     # Saturday, 调休 after 国庆 2025
])
def test_national_holidays_and_make_up_working_days(day, working):
    assert NATIONAL.is_working_day(day) is working


@pytest.mark.parametrize("start, days, due", [
    (D(2026, 11, 23), 5, D(2026, 11, 30)),   # Monday + 5: the next Monday
    (D(2026, 11, 27), 5, D(2026, 12, 4)),    # Friday + 5: over one weekend
    (D(2026, 9, 30), 5, D(2026, 10, 13)),    # 国庆 1-7 October off, Saturday 10 October worked
    (D(2026, 2, 13), 1, D(2026, 2, 14)),     # Saturday 14 February is a make-up working day
    (D(2026, 2, 13), 2, D(2026, 2, 24)),     # then 春节 until 23 February
])
def test_decision_deadlines_skip_weekends_and_holidays(start, days, due):
    assert NATIONAL.due_on(start, days) == due


def test_age_in_working_days():
    assert NATIONAL.between(D(2026, 11, 20), D(2026, 11, 28)) == 5
    assert NATIONAL.between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert NATIONAL.between(D(2026, 11, 28), D(2026, 11, 20)) == 0


@pytest.mark.parametrize("today, left", [
    (D(2026, 11, 23), 5),      # submitted today, due next Monday
    (D(2026, 11, 27), 1),
    (D(2026, 11, 28), 1),      # a weekend day counts nothing
    (D(2026, 11, 30), 0),      # due today: still in time
    (D(2026, 12, 1), -1),      # one working day late
    (D(2026, 12, 4), -4),
])
def test_days_left_and_overdue(today, left):
    due = NATIONAL.due_on(D(2026, 11, 23), 5)
    assert NATIONAL.days_left(due, today) == left
    assert deadlines.overdue(due, today) is (left < 0)


def test_a_weekend_right_after_the_due_date_is_already_late():
    due = D(2026, 11, 27)                                  # a Friday
    for today in (D(2026, 11, 28), D(2026, 11, 29), D(2026, 11, 30)):
        assert deadlines.overdue(due, today)
        assert NATIONAL.days_left(due, today) == -1


def test_local_closures_and_extra_working_days_apply_on_top(tmp_path):
    calendar = deadlines.load(_closures_file(tmp_path, (
        "closures: [2026-11-25]\n"                          # a Wednesday closed here
        "extra_working_days: [2026-11-28, 2026-10-02]\n")))  # a Saturday and a 国庆 day worked here
    assert not calendar.is_working_day(D(2026, 11, 25))
    assert calendar.is_working_day(D(2026, 11, 28))
    assert calendar.is_working_day(D(2026, 10, 2))
    assert calendar.due_on(D(2026, 11, 23), 2) == D(2026, 11, 26)
    assert calendar.due_on(D(2026, 11, 26), 2) == D(2026, 11, 28)
    assert calendar.between(D(2026, 9, 30), D(2026, 10, 8)) == 2


def test_the_override_file_is_checked(tmp_path):
    with pytest.raises(ValueError, match="both a closure and an extra working day"):
        deadlines.load(_closures_file(tmp_path, "closures: [2026-11-25]\nextra_working_days: [2026-11-25]\n"))
    with pytest.raises(ValueError, match="is not a date"):
        deadlines.load(_closures_file(tmp_path, "closures: [2026-11-5]\n"))


def test_the_shipped_override_file_loads():
    assert isinstance(deadlines.load(CATALOGS), deadlines.Calendar)


def test_a_year_the_library_does_not_know_warns_once_and_counts_monday_to_friday(tmp_path, warnings_logged):
    deadlines._national_working_days.cache_clear()
    calendar = deadlines.load(_closures_file(tmp_path, "closures: [2031-01-07]\nextra_working_days: [2031-01-11]\n"))
    assert calendar.is_working_day(D(2031, 1, 1))          # 元旦 unknown: a Wednesday like any other
    assert not calendar.is_working_day(D(2031, 1, 4))      # Saturday
    assert not calendar.is_working_day(D(2031, 1, 7))      # local closure
    assert calendar.is_working_day(D(2031, 1, 11))         # local extra working day (a Saturday)
    assert calendar.due_on(D(2031, 1, 6), 3) == D(2031, 1, 10)
    warned = [r.getMessage() for r in warnings_logged.records if r.levelno == logging.WARNING]
    assert len(warned) == 1 and "2031" in warned[0]


def test_the_core_imports_neither_ckan_nor_airflow():
    code = ("import sys, ckanext.qingyang.core.deadlines; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('ckan', 'airflow')))")
    # the same interpreter finds the installed extension; pytest's sys.path would shadow stdlib modules
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

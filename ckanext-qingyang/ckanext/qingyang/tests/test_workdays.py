"""Working days under the State Council calendar (catalogs/holidays.yaml)."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from ckanext.qingyang import workdays

CALENDAR = workdays.load(Path(__file__).resolve().parents[4] / "catalogs" / "holidays.yaml")
D = dt.date


@pytest.mark.parametrize("start, days, due", [
    (D(2026, 11, 23), 5, D(2026, 11, 30)),   # Monday + 5: the next Monday
    (D(2026, 11, 27), 5, D(2026, 12, 4)),    # Friday + 5: over one weekend
    (D(2026, 9, 30), 5, D(2026, 10, 13)),    # 国庆 1-7 October off, Saturday 10 October worked
    (D(2026, 2, 13), 1, D(2026, 2, 14)),     # Saturday 14 February is a make-up working day
    (D(2026, 2, 13), 2, D(2026, 2, 24)),     # then 春节 until 23 February
])
def test_decision_deadlines_skip_weekends_and_holidays(start, days, due):
    assert CALENDAR.add(start, days) == due


def test_age_in_working_days():
    assert CALENDAR.between(D(2026, 11, 20), D(2026, 11, 28)) == 5
    assert CALENDAR.between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert CALENDAR.between(D(2026, 11, 28), D(2026, 11, 20)) == 0

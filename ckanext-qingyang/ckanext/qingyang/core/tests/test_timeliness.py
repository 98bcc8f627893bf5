"""Timeliness ratings: the pure rules the daily DAG applies."""
from __future__ import annotations

import datetime as dt

import pytest

from ckanext.qingyang.core import timeliness

TODAY = dt.date(2026, 11, 28)


@pytest.mark.parametrize("age, cycle, expected", [
    (0, 30, "fresh"), (29, 30, "fresh"), (30, 30, "due"), (36, 30, "due"), (37, 30, "overdue"),
    (43, 30, "overdue"), (44, 30, "delinquent"), (364, 365, "fresh"), (365 + 59, 365, "due"),
    (365 + 60, 365, "overdue"), (365 + 120, 365, "delinquent"),
])
def test_ratings_follow_the_cycle_and_its_grace(age, cycle, expected):
    assert timeliness.rate(TODAY - dt.timedelta(days=age), cycle, TODAY) == expected


def test_a_list_never_confirmed_is_delinquent():
    assert timeliness.rate(None, 30, TODAY) == "delinquent"


def test_rate_lists_uses_each_types_cycle():
    ratings = timeliness.rate_lists({("a", "poverty_project"): (3, "2026-09-01"), ("a", "power_item"): (5, "2026-09-01")},
                                    {"poverty_project": 30, "power_item": 365}, TODAY)
    assert {r.type_name: r.rating for r in ratings} == {"poverty_project": "delinquent", "power_item": "fresh"}

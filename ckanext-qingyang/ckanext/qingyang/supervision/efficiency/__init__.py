"""全流程效能监察: 办件 collected by dags/qingyang_cases.py, timed against each item's 办结时限 in working days.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    return {}


def get_auth_functions() -> dict[str, Any]:
    return {}


def get_blueprints() -> list[Any]:
    return []

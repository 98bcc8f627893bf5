"""风险评估 (第二十条): findings of the weekly scan dags/qingyang_risk_scan.py, open until a rescan no longer finds them.

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

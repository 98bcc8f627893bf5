"""督查考核 (第二十三条、第二十四条): the monthly scoreboard from catalogs/assessment.yaml, its snapshots and the 通报.

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

"""风险评估 (第二十条): findings of the weekly scan dags/qingyang_risk_scan.py, open until a rescan no longer finds them.

The rules are pure in core/risk.py; the tables in model.py; the scoreboard reads facts.py.
The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.risk import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.risk import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.supervision.risk import blueprint

    return list(blueprint.BLUEPRINTS)

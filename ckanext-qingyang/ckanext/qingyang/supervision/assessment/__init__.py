"""督查考核 (第二十三条、第二十四条): the monthly scoreboard from catalogs/assessment.yaml, its
snapshots and (next) the 通报. Rules: core/assessment.py; facts: facts.py; tables: model.py.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.assessment import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.assessment import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.supervision.assessment import blueprint

    return list(blueprint.BLUEPRINTS)


def get_commands() -> list[Any]:
    from ckanext.qingyang.supervision.assessment import cli

    return cli.get_commands()

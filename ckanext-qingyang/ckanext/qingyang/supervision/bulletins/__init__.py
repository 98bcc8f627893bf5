"""通报 (第二十四条): each finished month's bulletin of the late departments and county
governments, drafted from the scoreboard (supervision/assessment), reviewed and issued by the
platform admin, archived immutably and sent to those it names.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.bulletins import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.bulletins import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.supervision.bulletins import blueprint

    return list(blueprint.BLUEPRINTS)

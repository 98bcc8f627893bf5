"""订阅 (issue 16 §4): anyone follows a department's or a list type's published changes by
Atom; a signed-in user also by mail, one mail a day of what changed (dags/qingyang_subscriptions.py).

model.py the table; changes.py what changed, read through package_search as the subscriber (so
the sharing rules apply); actions.py and auth.py the API; feed.py the Atom feeds; blueprint.py
the pages (/subscriptions). The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.subscriptions import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.subscriptions import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.subscriptions.blueprint import subscriptions

    return [subscriptions]

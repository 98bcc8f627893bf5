"""The weekly digest: each department's contacts get one mail of their open duties (late
lists, reviews waiting, share requests, messages, red cards, findings), sent by
dags/qingyang_digest.py through the action in actions.py.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.digest import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.digest import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    return []

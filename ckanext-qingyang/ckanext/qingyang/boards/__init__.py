"""Boards: 我要问 / 我要查 / 我要看 (第十五条).

Citizens leave messages without an account; the jurisdiction's 政务服务中心 accepts and
dispatches them; departments reply within deadlines counted in working days; the
centre supervises (督办) the late ones. The rules are in core/boards.py (pure), the
tables in model.py, the steps in actions.py, who may do what in auth.py, the pages in
blueprint.py and templates/.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.boards import actions

    return dict(actions.ACTIONS)


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.boards import auth

    return dict(auth.AUTH)


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.boards import blueprint

    return list(blueprint.BLUEPRINTS)

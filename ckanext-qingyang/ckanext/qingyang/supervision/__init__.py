"""Supervision (第二条、第二十条、第二十三条、第二十四条): the regulation's enforcement parts.

One subpackage per concern, each with its own tables, actions, auth, blueprint and tests:

- efficiency/: 全流程效能监察 of approval and service cases (/qingyang/efficiency);
- risk/: 风险评估, the weekly scan of everything published (/qingyang/risk);
- assessment/: the 督查考核 scoreboard (/qingyang/assessment);
- bulletins/: the monthly 通报 drafted from it (/qingyang/bulletins);
- digest/: the weekly mail of each department's open duties (dags/qingyang_digest.py).

Their templates live in templates/qingyang/supervision/<area>/. The pure rules are in
core/ (cases, risk, assessment), so that the DAGs share them.
"""
from __future__ import annotations

import importlib
from typing import Any

AREAS = ("efficiency", "risk", "assessment", "bulletins", "digest")


def _areas():
    return [importlib.import_module(f"ckanext.qingyang.supervision.{a}") for a in AREAS]


def _merged(name: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for area in _areas():
        names = getattr(area, name)()
        twice = out.keys() & names.keys()
        if twice:
            raise ValueError(f"registered by two supervision areas: {', '.join(sorted(twice))}")
        out.update(names)
    return out


def get_actions() -> dict[str, Any]:
    return _merged("get_actions")


def get_auth_functions() -> dict[str, Any]:
    return _merged("get_auth_functions")


def get_blueprints() -> list[Any]:
    return [bp for area in _areas() for bp in area.get_blueprints()]


def get_commands() -> list[Any]:
    """The areas' CLI commands (an area without any has no get_commands)."""
    return [c for area in _areas() for c in getattr(area, "get_commands", list)()]

"""全流程效能监察: 办件 collected by dags/qingyang_cases.py, timed against each item's 办结时限 in working days.

The rules are core/cases.py; tables model.py; loading actions.py (qingyang_cases_load); the
facts the page, the 办事指南 and the scoreboard read are facts.py (department_month, red_card_url).
The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.efficiency import actions

    return {"qingyang_cases_load": actions.qingyang_cases_load,
            "qingyang_cases_alert": actions.qingyang_cases_alert,
            "qingyang_efficiency_month": actions.qingyang_efficiency_month,
            "qingyang_case_track": actions.qingyang_case_track}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang.supervision.efficiency import auth

    return {"qingyang_cases_load": auth.qingyang_cases_load,
            "qingyang_efficiency_month": auth.qingyang_efficiency_month,
            "qingyang_efficiency_view": auth.qingyang_efficiency_view,
            "qingyang_case_track": auth.qingyang_case_track}


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.supervision.efficiency.blueprint import efficiency

    return [efficiency]


def get_commands() -> list[Any]:
    from ckanext.qingyang.supervision.efficiency.cli import cases_demo

    return [cases_demo]

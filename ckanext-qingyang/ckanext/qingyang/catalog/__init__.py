"""Catalog: the lists as a whole.

The list types as CKAN serves them (validators.py, search.py), list import, export and
withdrawal with the full-list rule (actions.py, bulk.py), departments' submissions
(submissions.py), timeliness ratings (timeliness.py), where an organization sits in
the jurisdiction tree (jurisdiction.py), and their pages (blueprint.py, templates/),
including the department page and the item page.

The get_* functions import on call: modules of the three packages import one another,
so importing one module must not load a whole package.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.catalog import actions

    return {f.__name__: f for f in (
        actions.qingyang_list_export, actions.qingyang_list_import, actions.qingyang_list_withdraw,
        actions.qingyang_submission_record, actions.qingyang_submission_list,
        actions.qingyang_timeliness_facts, actions.qingyang_timeliness_store, actions.qingyang_timeliness_late)}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks
    from ckanext.qingyang.catalog import auth

    return {
        "qingyang_list_export": auth.qingyang_list_export,
        "qingyang_list_import": auth.qingyang_list_import,
        "qingyang_submit": auth.qingyang_submit,
        "qingyang_submission_record": auth.qingyang_submission_record,
        "qingyang_submission_list": auth.qingyang_submission_list,
        "qingyang_timeliness_facts": auth_checks.platform_admin,
        "qingyang_timeliness_late": auth_checks.platform_admin,
        "qingyang_timeliness_store": auth.qingyang_timeliness_store,
    }


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.catalog import blueprint

    return [blueprint.catalog]

"""Publishing: 梳理 → 审核 → 发布 → 更新维护, 谁发布谁负责.

States, review routes and versions (workflow.py), the chained CKAN actions that keep
every write inside the workflow (guards.py), submitting (submit.py), who may review
and the review itself (review.py), the non-classified gate (marker_gate.py),
adjustments after a law changes (adjust.py), history and the responsibility record
(history.py), the workflow's own reads and writes (item.py), publishing the demo's
drafts (demo.py), and their pages (blueprint.py, templates/).

The get_* functions import on call: modules of the three packages import one another,
so importing one module must not load a whole package.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.publishing import adjust, guards, history, review, submit, workflow

    return {f.__name__: f for f in (
        guards.package_create, guards.package_update, guards.package_delete, guards.dataset_purge,
        guards.resource_create, guards.resource_update, guards.resource_delete,
        guards.bulk_update_public, guards.bulk_update_private, guards.bulk_update_delete,
        submit.qingyang_item_submit,
        review.qingyang_item_review, review.qingyang_item_review_bulk, review.qingyang_review_queue,
        history.qingyang_item_history, history.qingyang_publication_list, workflow.qingyang_workflow_info,
        adjust.qingyang_basis_search, adjust.qingyang_adjust, adjust.qingyang_adjustment_list)}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks
    from ckanext.qingyang.publishing import auth

    return {
        "qingyang_item_submit": auth_checks.logged_in,
        "qingyang_item_review": auth.qingyang_item_review,
        "qingyang_item_review_bulk": auth_checks.logged_in,
        "qingyang_review_queue": auth_checks.logged_in,
        "qingyang_review_queue_all": auth_checks.platform_admin,
        "qingyang_item_history": auth_checks.anyone,
        "qingyang_publication_list": auth.qingyang_publication_list,
        "qingyang_workflow_info": auth_checks.anyone,
        "qingyang_basis_search": auth_checks.anyone,
        "qingyang_adjust": auth_checks.logged_in,
        "qingyang_adjustment_list": auth_checks.anyone,
    }


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.publishing import blueprint

    return [blueprint.publishing]

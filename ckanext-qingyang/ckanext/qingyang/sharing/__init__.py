"""Sharing: who sees what.

The access rules (access.py), the gate every path to an item and its data passes
(gate.py), share requests and grants (share_requests.py), household rows and their
masked copy (households.py), the access audit log (audit.py), in-app notices
(notices.py; publishing writes them too), and their pages (blueprint.py, templates/).

The get_* functions import on call: modules of the three packages import one another,
so importing one module must not load a whole package.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.sharing import archive, audit, gate, households, notices, share_requests

    return {f.__name__: f for f in (
        gate.package_show, gate.resource_show, gate.package_activity_list, gate.package_list,
        gate.member_list, gate.resource_search, gate.datastore_search, gate.datastore_info,
        share_requests.qingyang_share_request_create, share_requests.qingyang_share_request_decide,
        share_requests.qingyang_share_request_revoke, share_requests.qingyang_share_request_list,
        share_requests.qingyang_share_request_show, share_requests.qingyang_grant_list,
        households.qingyang_households_upload,
        audit.qingyang_audit_list, audit.qingyang_audit_verify, archive.qingyang_audit_archive,
        notices.qingyang_notice_list, notices.qingyang_notice_read)}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks
    from ckanext.qingyang.sharing import auth

    return {
        "qingyang_share_request_create": auth_checks.logged_in,
        "qingyang_share_request_decide": auth.qingyang_share_request_decide,
        "qingyang_share_request_revoke": auth.qingyang_share_request_decide,
        "qingyang_share_request_list": auth.qingyang_share_request_list,
        "qingyang_share_request_show": auth.qingyang_share_request_show,
        "qingyang_grant_list": auth_checks.logged_in,
        "qingyang_audit_list": auth.qingyang_audit_list,
        "qingyang_audit_verify": auth_checks.platform_admin,
        "qingyang_audit_archive": auth_checks.platform_admin,
        "qingyang_notice_list": auth_checks.logged_in,
    }


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.sharing import blueprint

    return [blueprint.sharing]


def get_commands() -> list[Any]:
    from ckanext.qingyang.sharing import commands

    return [commands.audit_archive, commands.audit_verify]

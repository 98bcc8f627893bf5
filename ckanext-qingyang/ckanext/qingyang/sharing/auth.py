"""Who may ask for, answer and read share requests, and read the audit log."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.qingyang import auth_checks


def qingyang_share_request_decide(context, data_dict):
    """Admins and editors of the owning department decide on its resources."""
    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "is_authenticated", False) and \
            authz.has_user_permission_for_group_or_org(data_dict.get("owner_org"), user.name, "update_dataset"):
        return {"success": True}
    return {"success": False, "msg": "只有提供部门的管理员或编辑可以答复、撤销申请"}


def _member_or_platform_admin(context, org_id, msg):
    if auth_checks.member(context, org_id)["success"] or auth_checks.platform_admin(context, {})["success"]:
        return {"success": True}
    return {"success": False, "msg": msg}


def qingyang_share_request_list(context, data_dict):
    if tk.asbool(data_dict.get("overdue")):
        return auth_checks.platform_admin(context, data_dict)
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        return _member_or_platform_admin(context, org.id if org else None, "只能查看本部门的申请")
    return auth_checks.logged_in(context)


def qingyang_share_request_show(context, data_dict):
    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "is_authenticated", False) and user.id == data_dict.get("requester_id"):
        return {"success": True}
    for org_id in (data_dict.get("owner_org"), data_dict.get("requester_org")):
        if org_id and auth_checks.member(context, org_id)["success"]:
            return {"success": True}
    return auth_checks.platform_admin(context, data_dict)


def qingyang_audit_list(context, data_dict):
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        return _member_or_platform_admin(context, org.id if org else None, "只能查看本部门信息资源的访问记录")
    return auth_checks.platform_admin(context, data_dict)

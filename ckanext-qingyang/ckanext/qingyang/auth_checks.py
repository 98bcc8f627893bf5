"""Checks that the packages' auth functions share: logged in, member of a department,
platform admin, anyone."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from ckan import authz

from ckanext.qingyang.sharing import access


def logged_in(context, data_dict=None):
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    return {"success": True}


def member(context, org_id):
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    if authz.has_user_permission_for_group_or_org(org_id, user.name, "read"):
        return {"success": True}
    return {"success": False, "msg": "只有本部门成员可以查看提交记录"}


def platform_admin(context, data_dict):
    """Sysadmins and members of the organization with the platform_admin duty (市电子政务办)."""
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    if access.user_facts(user).platform_admin:
        return {"success": True}
    return {"success": False, "msg": "仅平台管理员(市电子政务办)可以查看"}


@tk.auth_allow_anonymous_access
def anyone(context, data_dict):
    return {"success": True}

"""Auth functions (IAuthFunctions)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk


@tk.auth_allow_anonymous_access
def qingyang_list_export(context, data_dict):
    # Anyone may ask; package_search only returns what the caller may see.
    return {"success": True}


def qingyang_list_import(context, data_dict):
    org = data_dict.get("organization")
    return tk.check_access("package_create", context, {"owner_org": org, "type": data_dict.get("type")}) and {"success": True}


def qingyang_submission_record(context, data_dict):
    # only the pipeline (a sysadmin) writes records; sysadmins pass every check
    return {"success": False, "msg": "只有数据采集流水线可以写入提交记录"}


def qingyang_submission_list(context, data_dict):
    # a department's members see its submissions
    return tk.check_access("organization_show", context, {"id": data_dict.get("organization")}) and \
        _member(context, data_dict.get("organization"))


def _member(context, org_id):
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    from ckan import authz

    if authz.has_user_permission_for_group_or_org(org_id, user.name, "read"):
        return {"success": True}
    return {"success": False, "msg": "只有本部门成员可以查看提交记录"}


def qingyang_submit(context, data_dict):
    return qingyang_list_import(context, data_dict)


def _platform_admin(context, data_dict):
    """Sysadmins and members of the organization with the platform_admin duty (市电子政务办)."""
    import ckan.model as model

    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    candidates = model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active",
        model.Group.extras["roles"].astext.contains("platform_admin"))
    admin_orgs = [g.id for g in candidates if "platform_admin" in str(g.extras["roles"]).split()]
    from ckan import authz

    if any(authz.has_user_permission_for_group_or_org(gid, user.name, "read") for gid in admin_orgs):
        return {"success": True}
    return {"success": False, "msg": "仅平台管理员(市电子政务办)可以查看"}


def qingyang_timeliness_store(context, data_dict):
    return {"success": False, "msg": "只有数据采集流水线可以写入时效评级"}


def get_auth_functions():
    return {
        "qingyang_timeliness_facts": _platform_admin,
        "qingyang_timeliness_late": _platform_admin,
        "qingyang_timeliness_store": qingyang_timeliness_store,
        "qingyang_submission_record": qingyang_submission_record,
        "qingyang_submission_list": qingyang_submission_list,
        "qingyang_submit": qingyang_submit,
        "qingyang_list_export": qingyang_list_export,
        "qingyang_list_import": qingyang_list_import,
    }

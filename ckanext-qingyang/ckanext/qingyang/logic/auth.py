"""Auth functions (IAuthFunctions)."""
from __future__ import annotations

import ckan.model as model
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
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    from ckanext.qingyang.sharing import access

    if access.user_facts(user).platform_admin:
        return {"success": True}
    return {"success": False, "msg": "仅平台管理员(市电子政务办)可以查看"}


def qingyang_timeliness_store(context, data_dict):
    return {"success": False, "msg": "只有数据采集流水线可以写入时效评级"}


def _logged_in(context, data_dict=None):
    user = context.get("auth_user_obj") or tk.current_user
    if user is None or not getattr(user, "is_authenticated", False):
        return {"success": False, "msg": "请先登录"}
    return {"success": True}


def _answers_for(context, org_id):
    """Admins and editors of the owning department decide on its resources."""
    from ckan import authz

    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "is_authenticated", False) and \
            authz.has_user_permission_for_group_or_org(org_id, user.name, "update_dataset"):
        return {"success": True}
    return {"success": False, "msg": "只有提供部门的管理员或编辑可以答复、撤销申请"}


def qingyang_share_request_decide(context, data_dict):
    return _answers_for(context, data_dict.get("owner_org"))


def _member_or_platform_admin(context, org_id, msg):
    if _member(context, org_id)["success"] or _platform_admin(context, {})["success"]:
        return {"success": True}
    return {"success": False, "msg": msg}


def qingyang_share_request_list(context, data_dict):
    if tk.asbool(data_dict.get("overdue")):
        return _platform_admin(context, data_dict)
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        return _member_or_platform_admin(context, org.id if org else None, "只能查看本部门的申请")
    return _logged_in(context)


def qingyang_share_request_show(context, data_dict):
    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "is_authenticated", False) and user.id == data_dict.get("requester_id"):
        return {"success": True}
    for org_id in (data_dict.get("owner_org"), data_dict.get("requester_org")):
        if org_id and _member(context, org_id)["success"]:
            return {"success": True}
    return _platform_admin(context, data_dict)


def qingyang_audit_list(context, data_dict):
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        return _member_or_platform_admin(context, org.id if org else None, "只能查看本部门信息资源的访问记录")
    return _platform_admin(context, data_dict)


def qingyang_publication_list(context, data_dict):
    """A department's admins, and the platform admin, see who published what."""
    user = context.get("auth_user_obj") or tk.current_user
    from ckanext.qingyang.publishing import workflow

    if user is not None and getattr(user, "is_authenticated", False) and \
            workflow.own_capacity(user, data_dict.get("organization") or "") == "admin":
        return {"success": True}
    if _platform_admin(context, data_dict)["success"]:
        return {"success": True}
    return {"success": False, "msg": "只有本部门管理员和平台管理员可以查看发布记录"}


@tk.auth_allow_anonymous_access
def _anyone(context, data_dict):
    return {"success": True}


def get_auth_functions():
    return {
        "qingyang_item_submit": _logged_in,
        "qingyang_item_review": _logged_in,
        "qingyang_item_review_bulk": _logged_in,
        "qingyang_review_queue": _logged_in,
        "qingyang_review_queue_all": _platform_admin,
        "qingyang_item_history": _anyone,
        "qingyang_publication_list": qingyang_publication_list,
        "qingyang_workflow_info": _anyone,
        "qingyang_basis_search": _anyone,
        "qingyang_adjust": _logged_in,
        "qingyang_adjustment_list": _anyone,
        "qingyang_share_request_create": _logged_in,
        "qingyang_share_request_decide": qingyang_share_request_decide,
        "qingyang_share_request_revoke": qingyang_share_request_decide,
        "qingyang_share_request_list": qingyang_share_request_list,
        "qingyang_share_request_show": qingyang_share_request_show,
        "qingyang_grant_list": _logged_in,
        "qingyang_audit_list": qingyang_audit_list,
        "qingyang_audit_verify": _platform_admin,
        "qingyang_notice_list": _logged_in,
        "qingyang_timeliness_facts": _platform_admin,
        "qingyang_timeliness_late": _platform_admin,
        "qingyang_timeliness_store": qingyang_timeliness_store,
        "qingyang_submission_record": qingyang_submission_record,
        "qingyang_submission_list": qingyang_submission_list,
        "qingyang_submit": qingyang_submit,
        "qingyang_list_export": qingyang_list_export,
        "qingyang_list_import": qingyang_list_import,
    }

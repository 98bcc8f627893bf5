"""Who may load cases (the pipeline's token, the platform admin) and who sees their statistics
(the platform admin all, a department its own); 我要查 by 办件编号 and 查询码 is anyone's."""
from __future__ import annotations

from ckanext.qingyang import auth_checks
from ckanext.qingyang.sharing import access


def _facts(context):
    return access.user_facts(access.context_user(context))


def sees_all(context) -> bool:
    f = _facts(context)
    return f.sysadmin or f.platform_admin


def qingyang_cases_load(context, data_dict):
    if sees_all(context):
        return {"success": True}
    return {"success": False, "msg": "仅数据采集流水线或平台管理员(市电子政务办)可以导入办件"}


def qingyang_efficiency_month(context, data_dict):
    f = _facts(context)
    if f.sysadmin or f.platform_admin or (data_dict or {}).get("organization") in f.org_ids:
        return {"success": True}
    return {"success": False, "msg": "只有本部门和平台管理员可以查看效能监察"}


def qingyang_efficiency_view(context, data_dict):
    login = auth_checks.logged_in(context, data_dict)
    if not login["success"]:
        return login
    f = _facts(context)
    if f.sysadmin or f.platform_admin or f.government:
        return {"success": True}
    return {"success": False, "msg": "效能监察仅供政府部门用户查看"}


def qingyang_case_track(context, data_dict):
    return {"success": True}      # the 查询码 is the key; the action checks it

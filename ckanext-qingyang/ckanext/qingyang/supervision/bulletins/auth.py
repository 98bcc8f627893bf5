"""通报: the platform admin drafts and issues; government users read what is issued."""
from __future__ import annotations

from ckanext.qingyang.sharing import access


def _who(context):
    return access.user_facts(access.context_user(context))


def _admin(context, data_dict):
    who = _who(context)
    if who.sysadmin or who.platform_admin:
        return {"success": True}
    return {"success": False, "msg": "只有平台管理员(市电子政务办)可以起草和印发通报"}


def _government(context, data_dict):
    who = _who(context)
    if who.sysadmin or who.government:
        return {"success": True}
    return {"success": False, "msg": "通报仅向政府部门用户开放,请先登录"}


AUTH = {"qingyang_bulletin_draft": _admin, "qingyang_bulletin_issue": _admin,
        "qingyang_bulletin_show": _government, "qingyang_bulletin_list": _government}

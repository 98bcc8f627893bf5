"""Who sees the scoreboard: government users (members of any organization) see it, filtered
to what they may see (actions.visible_org_ids); only the platform admin takes snapshots."""
from __future__ import annotations

from ckanext.qingyang.sharing import access


def _government(context, data_dict):
    who = access.user_facts(access.context_user(context))
    if who.sysadmin or who.government:
        return {"success": True}
    return {"success": False, "msg": "督查考核结果仅向政府部门用户开放,请先登录"}


def qingyang_assessment_board(context, data_dict):
    return _government(context, data_dict)


def qingyang_assessment_show(context, data_dict):
    return _government(context, data_dict)


def qingyang_assessment_snapshot(context, data_dict):
    who = access.user_facts(access.context_user(context))
    if who.sysadmin or who.platform_admin:
        return {"success": True}
    return {"success": False, "msg": "只有平台管理员(市电子政务办)可以存档月度考核结果"}


AUTH = {f.__name__: f for f in (qingyang_assessment_board, qingyang_assessment_show, qingyang_assessment_snapshot)}

"""Only the platform admin (and the pipeline's sysadmin account) sends the digest."""
from __future__ import annotations

from ckanext.qingyang.sharing import access


def qingyang_digest_send(context, data_dict):
    who = access.user_facts(access.context_user(context))
    if who.sysadmin or who.platform_admin:
        return {"success": True}
    return {"success": False, "msg": "只有平台管理员可以发送待办周报"}


AUTH = {"qingyang_digest_send": qingyang_digest_send}

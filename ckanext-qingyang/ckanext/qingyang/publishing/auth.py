"""Who may review an item (the same rule as the review action) and read a department's
publication record; the other workflow actions check their callers themselves."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.qingyang import auth_checks
from ckanext.qingyang.publishing import item, review, workflow
from ckanext.qingyang.sharing import access


def qingyang_item_review(context, data_dict):
    """review.may_review for the item's version in review; without one there is nothing
    to decide on, and the action answers why."""
    user = access.context_user(context)
    if user is None:
        return {"success": False, "msg": "请先登录"}
    try:
        pkg = item.get(data_dict.get("id"))
    except tk.ObjectNotFound:
        return {"success": True}
    opened = workflow.open_version(pkg.id)
    if opened is not None and opened["state"] == "pending":
        try:
            review.may_review(user, pkg, opened)
        except tk.NotAuthorized as e:
            return {"success": False, "msg": str(e)}
    return {"success": True}


def qingyang_publication_list(context, data_dict):
    """A department's admins, and the platform admin, see who published what."""
    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "is_authenticated", False) and \
            workflow.own_capacity(user, data_dict.get("organization") or "") == "admin":
        return {"success": True}
    if auth_checks.platform_admin(context, data_dict)["success"]:
        return {"success": True}
    return {"success": False, "msg": "只有本部门管理员和平台管理员可以查看发布记录"}

"""Who may report scans (the pipeline's token: a sysadmin) and who reads findings."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.qingyang import auth_checks


def qingyang_risk_report(context, data_dict):
    user = context.get("auth_user_obj") or tk.current_user
    if user is not None and getattr(user, "sysadmin", False):
        return {"success": True}
    return {"success": False, "msg": "只有平台的采集流水线可以提交风险评估结果"}


def qingyang_risk_findings(context, data_dict):
    """A department's members its own findings; the platform admin everyone's (and the city's)."""
    if auth_checks.platform_admin(context, data_dict)["success"]:
        return {"success": True}
    org_id = (data_dict or {}).get("organization")
    if not org_id:
        return {"success": False, "msg": "仅平台管理员可以查看全市的风险评估报告"}
    result = auth_checks.member(context, org_id)
    if not result["success"] and "请先登录" not in result.get("msg", ""):
        result["msg"] = "只有本部门成员可以查看本部门的风险评估报告"
    return result


AUTH = {
    "qingyang_risk_report": qingyang_risk_report,
    "qingyang_risk_findings": qingyang_risk_findings,
}

"""Who may export, import and submit lists, and read submissions and timeliness."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.qingyang import auth_checks


@tk.auth_allow_anonymous_access
def qingyang_list_export(context, data_dict):
    # Anyone may ask; package_search only returns what the caller may see.
    return {"success": True}


def qingyang_list_import(context, data_dict):
    org = data_dict.get("organization")
    return tk.check_access("package_create", context, {"owner_org": org, "type": data_dict.get("type")}) and {"success": True}


def qingyang_submit(context, data_dict):
    return qingyang_list_import(context, data_dict)


def qingyang_submission_record(context, data_dict):
    # only the pipeline (a sysadmin) writes records; sysadmins pass every check
    return {"success": False, "msg": "只有数据采集流水线可以写入提交记录"}


def qingyang_submission_list(context, data_dict):
    # a department's members see its submissions
    return tk.check_access("organization_show", context, {"id": data_dict.get("organization")}) and \
        auth_checks.member(context, data_dict.get("organization"))


def qingyang_timeliness_store(context, data_dict):
    return {"success": False, "msg": "只有数据采集流水线可以写入时效评级"}

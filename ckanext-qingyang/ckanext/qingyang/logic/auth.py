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


def get_auth_functions():
    return {
        "qingyang_list_export": qingyang_list_export,
        "qingyang_list_import": qingyang_list_import,
    }

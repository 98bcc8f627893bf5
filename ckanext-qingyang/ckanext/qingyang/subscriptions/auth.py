"""Who may subscribe (anyone signed in, for themselves), unsubscribe (the owner, or whoever holds
the mail's token) and send the daily mail (the platform admin and the pipeline)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk

from ckanext.qingyang import auth_checks
from ckanext.qingyang.sharing import access


def qingyang_subscription_create(context, data_dict):
    return auth_checks.logged_in(context, data_dict)


def qingyang_subscription_list(context, data_dict):
    return auth_checks.logged_in(context, data_dict)


@tk.auth_allow_anonymous_access
def qingyang_subscription_delete(context, data_dict):
    if (data_dict or {}).get("token"):
        return {"success": True}          # the token is the key; the action checks it
    return auth_checks.logged_in(context, data_dict)


def qingyang_subscriptions_send(context, data_dict):
    who = access.user_facts(access.context_user(context))
    if who.sysadmin or who.platform_admin:
        return {"success": True}
    return {"success": False, "msg": "只有平台管理员可以发送订阅邮件"}


AUTH = {f.__name__: f for f in (qingyang_subscription_create, qingyang_subscription_list,
                                qingyang_subscription_delete, qingyang_subscriptions_send)}

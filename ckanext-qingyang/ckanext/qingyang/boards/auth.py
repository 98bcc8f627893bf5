"""Who may take each step of a message's life (the relations are messages.py's).

- create: anyone through the web form (which sets context["qingyang_captcha_passed"] after
  the captcha and honeypot), or any logged-in caller (an integrating system's token);
- show, rate: anyone (the action checks the 查询码, or the relation for an id);
- accept, reject, dispatch, decide_extension, publish, supervise: editors and admins of the
  message's 政务服务中心;
- transfer: the centre (its dispatch) or the handling department's editors and admins (once);
- reply, extend: the handling department's editors and admins;
- lists: public for anyone, the others for logged-in staff (filtered to what they may see);
- the ladder (facts, escalate): the platform admin (and the DAG's account, a sysadmin).
CKAN lets sysadmins pass every auth function.
"""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.qingyang import auth_checks
from ckanext.qingyang.boards import messages


@tk.auth_allow_anonymous_access
def qingyang_message_create(context, data_dict):
    if auth_checks.logged_in(context)["success"] or context.get("qingyang_captcha_passed"):
        return {"success": True}
    return {"success": False, "msg": "匿名留言请通过“我要问”网页提交,并填写验证码"}


def _acting(context, data_dict, roles: tuple[str, ...], msg_text: str):
    user_check = auth_checks.logged_in(context)
    if not user_check["success"]:
        return user_check
    msg = messages.get((data_dict or {}).get("id"))
    if msg is None:
        return {"success": False, "msg": "留言不存在"}
    who = messages.caller(context)
    if ("centre" in roles and who.acts_for(msg["centre_id"])) or \
            ("handler" in roles and who.acts_for(msg["organization_id"])):
        return {"success": True}
    return {"success": False, "msg": msg_text}


CENTRE_ONLY = "只有该辖区政务服务中心的编辑或管理员可以办理此步骤"
HANDLER_ONLY = "只有承办部门的编辑或管理员可以办理此步骤"


def qingyang_message_accept(context, data_dict):
    return _acting(context, data_dict, ("centre",), CENTRE_ONLY)


def qingyang_message_reject(context, data_dict):
    return _acting(context, data_dict, ("centre",), CENTRE_ONLY)


def qingyang_message_decide_extension(context, data_dict):
    return _acting(context, data_dict, ("centre",), CENTRE_ONLY)


def qingyang_message_publish(context, data_dict):
    return _acting(context, data_dict, ("centre",), CENTRE_ONLY)


def qingyang_message_supervise(context, data_dict):
    return _acting(context, data_dict, ("centre",), CENTRE_ONLY)


def qingyang_message_transfer(context, data_dict):
    return _acting(context, data_dict, ("centre", "handler"), "只有政务服务中心或承办部门的编辑、管理员可以转办")


def qingyang_message_reply(context, data_dict):
    return _acting(context, data_dict, ("handler",), HANDLER_ONLY)


def qingyang_message_extend(context, data_dict):
    return _acting(context, data_dict, ("handler",), HANDLER_ONLY)


def qingyang_message_list(context, data_dict):
    if (data_dict or {}).get("scope", "public") == "public":
        return {"success": True}
    return auth_checks.logged_in(context)


AUTH: dict[str, Any] = {
    "qingyang_message_create": qingyang_message_create,
    "qingyang_message_show": auth_checks.anyone,
    "qingyang_message_rate": auth_checks.anyone,
    "qingyang_message_accept": qingyang_message_accept,
    "qingyang_message_reject": qingyang_message_reject,
    "qingyang_message_transfer": qingyang_message_transfer,
    "qingyang_message_reply": qingyang_message_reply,
    "qingyang_message_extend": qingyang_message_extend,
    "qingyang_message_decide_extension": qingyang_message_decide_extension,
    "qingyang_message_publish": qingyang_message_publish,
    "qingyang_message_supervise": qingyang_message_supervise,
    "qingyang_message_list": tk.auth_allow_anonymous_access(qingyang_message_list),
    "qingyang_board_figures": auth_checks.anyone,
    "qingyang_boards_escalate": auth_checks.platform_admin,
}

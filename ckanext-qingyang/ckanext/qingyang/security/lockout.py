"""Login lockout: failures counted per account and per client address in CKAN's Redis.

CKAN sends `failed_login` for every refused password; a lock refuses the login view's
POST before CKAN checks the password, so a locked account stays locked even for the
right password until the window passes or an admin unlocks it.
"""
from __future__ import annotations

import logging
from typing import Any

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis

from ckanext.qingyang.security import events

log = logging.getLogger(__name__)


def _key(kind: str, value: str) -> str:
    return f"{tk.config.get('ckan.site_id')}:qingyang:login_fail:{kind}:{value.lower()}"


def _client() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else ""


def _limits() -> tuple[int, int, int]:
    c = tk.config
    return (c.get("ckanext.qingyang.security.lockout_account_failures"),
            c.get("ckanext.qingyang.security.lockout_address_failures"),
            c.get("ckanext.qingyang.security.lockout_seconds"))


def record_failure(login: str) -> None:
    """A refused login: count it for the account and the client address."""
    acc_max, addr_max, window = _limits()
    r = connect_to_redis()
    for kind, value, limit in (("account", login or "", acc_max), ("addr", _client(), addr_max)):
        if value:
            k = _key(kind, value)
            n = r.incr(k)
            if n == 1:
                r.expire(k, window)
            if n == limit:   # the failure that locks
                events.record("lockout", subject=login or None, actor="",
                              detail={"scope": kind, "failures": n, "seconds": window})
    log.warning("security: failed login for %r from %s", login, _client())


def is_locked(login: str, addr: str) -> str | None:
    """Why this login is refused now (Chinese, for the page), or None."""
    acc_max, addr_max, window = _limits()
    r = connect_to_redis()
    if login and int(r.get(_key("account", login)) or 0) >= acc_max:
        return f"账号 {login} 因连续登录失败已被锁定,请 {window // 60} 分钟后再试或联系管理员解锁"
    if addr and int(r.get(_key("addr", addr)) or 0) >= addr_max:
        return f"本地址登录失败次数过多,已被暂时锁定,请 {window // 60} 分钟后再试"
    return None


def clear(login: str | None = None, addr: str | None = None) -> None:
    r = connect_to_redis()
    if login:
        r.delete(_key("account", login))
    if addr:
        r.delete(_key("addr", addr))


def login_guard() -> Any:
    """IAuthenticator.login: refuse a POST to the login page while locked."""
    from flask import request

    if request.method != "POST":
        return None
    login = request.form.get("login") or ""
    why = is_locked(login, _client())
    if why is None:
        return None
    log.warning("security: locked login refused for %r from %s", login, _client())
    events.record("login_refused", subject=login or None, actor="", detail={"reason": why})
    tk.h.flash_error(why)
    return tk.render("user/login.html", {}), 403


def on_failed_login(sender: Any, **kwargs: Any) -> None:
    events.on_failed_login(sender)   # before the count: the failure that locks comes first
    record_failure(sender if isinstance(sender, str) else "")


def on_logged_in(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "name", None):
        clear(login=user.name)


def qingyang_login_unlock(context: dict, data_dict: dict) -> dict[str, Any]:
    """Unlock an account and/or a client address after repeated failed logins.

    :param user: the account name
    :param address: the client address
    """
    tk.check_access("qingyang_login_unlock", context, data_dict)
    user, addr = data_dict.get("user"), data_dict.get("address")
    if not user and not addr:
        raise tk.ValidationError({"user": ["请指定要解锁的账号(user)或地址(address)"]})
    clear(user, addr)
    events.record("unlock", subject=user, actor=context.get("user"), detail={"address": addr} if addr else None)
    log.warning("security: %s unlocked user=%r address=%r", context.get("user"), user, addr)
    return {"user": user, "address": addr, "unlocked": True}

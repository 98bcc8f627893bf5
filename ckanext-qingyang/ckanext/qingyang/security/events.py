"""Security events (等保 2.0 安全审计): one append-only row per login, failed login, lockout,
unlock and admin change, in qingyang_security_event (the database refuses rewrites).

Hooks: CKAN's signals (logins, failures, logouts, password resets), chained actions
(accounts and membership) and a SQLAlchemy flush hook for sysadmin rights, which
CKAN's `ckan sysadmin add/remove` and the admin pages set on the model directly.
Rows are written in their own short transaction, like the access log's.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.model import security_event

log = logging.getLogger(__name__)

KINDS = {
    "login": "登录成功", "login_failed": "登录失败", "lockout": "登录锁定",
    "login_refused": "锁定期间登录被拒", "unlock": "解除锁定", "logout": "退出登录",
    "session_timeout": "会话超时退出", "password_reset": "重置密码",
    "user_create": "创建账号", "user_update": "修改账号", "user_delete": "删除账号",
    "member_add": "加入部门/变更角色", "member_remove": "移出部门",
    "sysadmin_grant": "授予系统管理员", "sysadmin_revoke": "撤销系统管理员",
}


def client_addr() -> str:
    from flask import has_request_context, request

    return (request.remote_addr or "") if has_request_context() else "(命令行/后台任务)"


def _current_user_name() -> str | None:
    from flask import has_request_context

    if not has_request_context():
        return None
    user = tk.current_user
    return user.name if getattr(user, "is_authenticated", False) else None


def record(kind: str, subject: str | None = None, actor: str | None = None, target: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    assert kind in KINDS, kind
    # actor None: whoever is logged in; "": nobody (an anonymous login attempt)
    row = {"kind": kind, "subject": subject, "actor": (actor if actor is not None else _current_user_name()) or None,
           "target": target, "client_addr": client_addr(),
           "detail": json.dumps(detail, ensure_ascii=False, sort_keys=True) if detail else None}
    # its own transaction: a failed request rolls back, the event must stay
    with model.meta.engine.begin() as conn:
        conn.execute(security_event.insert(), [row])
    log.info("security event: %s subject=%r actor=%r target=%r", kind, subject, row["actor"], target)


# ---------------------------------------------------------------- signals
def on_logged_in(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "name", None):
        record("login", subject=user.name, actor=user.name)


def on_failed_login(sender: Any, **kwargs: Any) -> None:
    record("login_failed", subject=sender if isinstance(sender, str) else None, actor="")


def on_logged_out(sender: Any, user: Any = None, **kwargs: Any) -> None:
    if user is not None and getattr(user, "name", None):
        record("logout", subject=user.name, actor=user.name)


def on_password_reset(sender: Any, **kwargs: Any) -> None:
    record("password_reset", subject=sender if isinstance(sender, str) else None)


# ---------------------------------------------------------------- chained actions
def _actor(context: dict) -> str | None:
    return context.get("user") or None


def _user_name(ref: str | None) -> str | None:
    obj = model.User.get(ref) if ref else None
    return obj.name if obj else ref


@tk.chained_action
def user_create(up_func, context, data_dict):
    result = up_func(context, data_dict)
    record("user_create", subject=result.get("name"), actor=_actor(context),
           detail={"email": result.get("email"), "fullname": result.get("fullname")})
    return result


USER_FIELDS = ("name", "fullname", "email", "about", "image_url", "state", "plugin_extras")


@tk.chained_action
def user_update(up_func, context, data_dict):
    obj = model.User.get(data_dict.get("id") or data_dict.get("name") or "")
    before = {k: getattr(obj, k, None) for k in (*USER_FIELDS, "password")} if obj else {}
    result = up_func(context, data_dict)
    obj = model.User.get(result["id"])
    changed: dict[str, Any] = {"fields": sorted(k for k in USER_FIELDS
                                                if obj is not None and getattr(obj, k, None) != before.get(k))}
    if obj is not None and obj.password != before.get("password"):
        changed["password_changed"] = True   # the fact only, never the password or its hash
    record("user_update", subject=result.get("name"), actor=_actor(context), detail=changed)
    return result


@tk.chained_action
def user_delete(up_func, context, data_dict):
    name = _user_name(data_dict.get("id"))
    result = up_func(context, data_dict)
    record("user_delete", subject=name, actor=_actor(context))
    return result


def _group_name(ref: str | None) -> str | None:
    obj = model.Group.get(ref) if ref else None
    return obj.name if obj else ref


# organization_member_create/_delete and group_member_* go through member_create/_delete
@tk.chained_action
def member_create(up_func, context, data_dict):
    result = up_func(context, data_dict)
    if data_dict.get("object_type") == "user":
        record("member_add", subject=_user_name(data_dict.get("object")), actor=_actor(context),
               target=_group_name(data_dict.get("id")), detail={"capacity": data_dict.get("capacity")})
    return result


@tk.chained_action
def member_delete(up_func, context, data_dict):
    result = up_func(context, data_dict)
    if data_dict.get("object_type") == "user":
        record("member_remove", subject=_user_name(data_dict.get("object")), actor=_actor(context),
               target=_group_name(data_dict.get("id")))
    return result


CHAINED = {"user_create": user_create, "user_update": user_update, "user_delete": user_delete,
           "member_create": member_create, "member_delete": member_delete}


# ---------------------------------------------------------------- sysadmin rights
PENDING = "qingyang_sysadmin_changes"


def _before_flush(session: Any, flush_context: Any, instances: Any) -> None:
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, model.User):
            continue
        hist = sa.inspect(obj).attrs.sysadmin.history
        if not hist.added:
            continue
        now, before = bool(hist.added[0]), bool(hist.deleted[0]) if hist.deleted else False
        if now != before:
            session.info.setdefault(PENDING, []).append((obj.name, now))


def _after_commit(session: Any) -> None:
    for name, now in session.info.pop(PENDING, []):
        try:
            record("sysadmin_grant" if now else "sysadmin_revoke", subject=name)
        except sa.exc.SQLAlchemyError:   # the commit stands; say loudly that its event is missing
            log.exception("security event NOT recorded: sysadmin %s for %r", "grant" if now else "revoke", name)


def _after_rollback(session: Any) -> None:
    session.info.pop(PENDING, None)


def install() -> None:
    """Watch every session for sysadmin changes (idempotent: CKAN loads plugins more than once)."""
    for name, fn in (("before_flush", _before_flush), ("after_commit", _after_commit),
                     ("after_rollback", _after_rollback)):
        if not sa.event.contains(sa.orm.Session, name, fn):
            sa.event.listen(sa.orm.Session, name, fn)


# ---------------------------------------------------------------- reading them
def _when(data_dict: dict, key: str, label: str) -> dt.datetime | None:
    value = data_dict.get(key)
    if not value:
        return None
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise tk.ValidationError({key: [f"{label}({key})不是有效的 ISO 8601 时间: {value}"]})
    return when if when.tzinfo else when.replace(tzinfo=dt.timezone.utc)


@tk.side_effect_free
def qingyang_security_event_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Security events, newest first (sysadmins and the platform admin duty only).

    :param kind: only these kinds (one, or several separated by commas or spaces), e.g.
        login_failed, lockout, unlock, sysadmin_grant
    :param user: only events about or by this user (user name)
    :param since: from this time (ISO 8601; without a zone, UTC)
    :param until: before this time (ISO 8601)
    :param limit: at most this many rows (default 500, at most 5000)
    :param offset: skip this many rows
    """
    tk.check_access("qingyang_security_event_list", context, data_dict)
    t = security_event.c
    q = sa.select(security_event).order_by(t.id.desc())
    kinds = data_dict.get("kind")
    if kinds:
        kinds = kinds.replace(",", " ").split() if isinstance(kinds, str) else list(kinds)
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise tk.ValidationError({"kind": [f"事件类型(kind)未知: {', '.join(unknown)};可选: {', '.join(KINDS)}"]})
        q = q.where(t.kind.in_(kinds))
    if data_dict.get("user"):
        q = q.where(sa.or_(t.subject == data_dict["user"], t.actor == data_dict["user"]))
    since, until = _when(data_dict, "since", "起始时间"), _when(data_dict, "until", "截止时间")
    if since:
        q = q.where(t.at >= since)
    if until:
        q = q.where(t.at < until)
    try:
        limit, offset = min(int(data_dict.get("limit") or 500), 5000), int(data_dict.get("offset") or 0)
    except ValueError:
        raise tk.ValidationError({"limit": ["条数(limit)与偏移(offset)须为整数"]})
    out = []
    for r in model.Session.execute(q.limit(limit).offset(offset)).mappings():
        row = dict(r)
        row["at"] = row["at"].isoformat()
        row["kind_label"] = KINDS.get(row["kind"], row["kind"])
        row["detail"] = json.loads(row["detail"]) if row["detail"] else {}
        out.append(row)
    return out

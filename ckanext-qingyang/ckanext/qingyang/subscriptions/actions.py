"""订阅's actions: a user's own subscriptions (create, list, delete, by id or by the mail's
token), and qingyang_subscriptions_send: the daily mail of what changed (the DAG calls it)."""
from __future__ import annotations

import datetime as dt
import logging
import secrets
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert

from ckanext.qingyang.sharing import access
from ckanext.qingyang.subscriptions import changes
from ckanext.qingyang.subscriptions.model import KINDS, subscription

log = logging.getLogger(__name__)
T = subscription.c


def _dict(row) -> dict[str, Any]:
    about = changes.describe(row["kind"], row["target"]) or {"name": row["target"], "label": "(已不存在)"}
    return {"id": row["id"], "kind": row["kind"], "target": row["target"], "name": about["name"],
            "label": about["label"], "created": row["created"].isoformat(),
            "last_sent": row["last_sent"].isoformat() if row["last_sent"] else None}


def own(user: model.User, kind: str, target: str) -> dict[str, Any] | None:
    row = model.Session.execute(sa.select(subscription).where(
        T.user_id == user.id, T.kind == kind, T.target == target)).mappings().first()
    return _dict(row) if row else None


def qingyang_subscription_create(context: dict, data_dict: dict) -> dict[str, Any]:
    """Subscribe the caller by mail to `kind` (organization / list_type) `target` (a department's
    name or id, or a list type's name). Subscribing twice returns the same subscription."""
    tk.check_access("qingyang_subscription_create", context, data_dict)
    user = access.context_user(context)
    kind, target = str(data_dict.get("kind") or ""), str(data_dict.get("target") or "").strip()
    if kind not in KINDS:
        raise tk.ValidationError({"kind": [f"订阅类型应为 organization(部门)或 list_type(清单类型):{kind}"]})
    about = changes.describe(kind, target)
    if about is None:
        raise tk.ValidationError({"target": [f"没有这个{'部门' if kind == 'organization' else '清单类型'}:{target}"]})
    now = dt.datetime.utcnow()
    model.Session.execute(insert(subscription).values(
        id=str(uuid.uuid4()), user_id=user.id, kind=kind, target=about["target"], created=now, last_sent=now,
        token=secrets.token_urlsafe(24)).on_conflict_do_nothing(constraint="qingyang_subscription_once"))
    model.Session.commit()
    return own(user, kind, about["target"])


@tk.side_effect_free
def qingyang_subscription_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """The caller's subscriptions, oldest first."""
    tk.check_access("qingyang_subscription_list", context, data_dict)
    user = access.context_user(context)
    return [_dict(r) for r in model.Session.execute(
        sa.select(subscription).where(T.user_id == user.id).order_by(T.created, T.id)).mappings()]


def qingyang_subscription_delete(context: dict, data_dict: dict) -> dict[str, Any]:
    """Unsubscribe: by `id` (the caller's own), or by `token` (the mail's 退订 link; no login)."""
    tk.check_access("qingyang_subscription_delete", context, data_dict)
    if data_dict.get("token"):
        where = T.token == str(data_dict["token"])
    else:
        user = access.context_user(context)
        if user is None:
            raise tk.NotAuthorized("请先登录")
        where = sa.and_(T.id == str(data_dict.get("id") or ""), T.user_id == user.id)
    row = model.Session.execute(sa.select(subscription).where(where)).mappings().first()
    if row is None:
        raise tk.ObjectNotFound("没有这个订阅,或已退订")
    model.Session.execute(subscription.delete().where(T.id == row["id"]))
    model.Session.commit()
    return _dict(row)


def _site() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def mail_body(user: model.User, sections: list[tuple[dict, dict]]) -> str:
    lines = [f"{user.fullname or user.name}:", "", "您订阅的内容在庆阳市政务信息资源共享与公开平台上有以下变化:", ""]
    for sub, found in sections:
        lines.append(f"【{sub['label']}】{found['count']} 项")
        for c in found["changes"]:
            where = c["organization"] if sub["kind"] == "list_type" else c["list_label"]
            lines.append(f"  - {c['change']} {c['title']}({where}) {c['url']}")
        if found["count"] > len(found["changes"]):
            lines.append(f"  ……另有 {found['count'] - len(found['changes'])} 项,详见网站")
        lines.append(f"  退订:{_site()}/subscriptions/unsubscribe/{sub['token']}")
        lines.append("")
    lines.append(f"管理订阅:{_site()}/subscriptions")
    return "\n".join(lines)


def qingyang_subscriptions_send(context: dict, data_dict: dict) -> dict[str, Any]:
    """One mail per subscriber of what changed since their last mail (nothing changed: no mail).
    The window moves only once the mail is accepted, so a failed mail is sent again next run.

    :param dry_run: true: return the mails without sending or moving the window
    """
    tk.check_access("qingyang_subscriptions_send", context, data_dict)
    from ckan.lib import mailer

    dry = tk.asbool(data_dict.get("dry_run"))
    now = dt.datetime.utcnow()
    by_user: dict[str, list[dict]] = {}
    for r in model.Session.execute(sa.select(subscription).order_by(T.created, T.id)).mappings():
        by_user.setdefault(r["user_id"], []).append(dict(r))
    sent, failed, previews = 0, 0, []
    for user_id, subs in by_user.items():
        user = model.User.get(user_id)
        if user is None or user.state != "active" or not user.email:
            continue
        ctx = {"user": user.name, "auth_user_obj": user}
        sections = []
        for s in subs:
            about = changes.describe(s["kind"], s["target"])
            if about is None:
                continue
            found = changes.search(ctx, s["kind"], s["target"], s["last_sent"] or s["created"], now,
                                   rows=changes.MAIL_ROWS)
            if found["count"]:
                sections.append(({**s, **about}, found))
        ids = [s["id"] for s in subs]
        if not sections:
            if not dry:
                model.Session.execute(subscription.update().where(T.id.in_(ids)).values(last_sent=now))
            continue
        total = sum(f["count"] for _, f in sections)
        subject = f"订阅更新:{'、'.join(s['label'] for s, _ in sections[:3])}{'等' if len(sections) > 3 else ''} 共 {total} 项变化"
        body = mail_body(user, sections)
        previews.append({"user": user.name, "subject": subject, "total": total, "body": body})
        if dry:
            continue
        try:
            mailer.mail_user(user, subject, body)
        except mailer.MailerException as e:
            failed += 1
            log.warning("subscription mail to %s failed, kept for the next run: %s", user.name, e)
            continue
        sent += 1
        model.Session.execute(subscription.update().where(T.id.in_(ids)).values(last_sent=now))
    model.Session.commit()
    return {"mails": sent, "failed": failed, "subscribers": len(by_user), "previews": previews}


ACTIONS = {f.__name__: f for f in (qingyang_subscription_create, qingyang_subscription_list,
                                   qingyang_subscription_delete, qingyang_subscriptions_send)}

"""In-app notices (站内通知), always; and mail through CKAN's mailer when
ckanext.qingyang.notify_by_mail is on (CKAN's smtp.* settings say where it goes).
Share requests and the publishing workflow write them; the actions list and mark them read."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any, Iterable

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.model import notice
from ckanext.qingyang.sharing import access

log = logging.getLogger(__name__)


def org_editors(org_id: str) -> list[str]:
    """Ids of the department's admins and editors: the people who answer for its resources."""
    rows = model.Session.query(model.Member.table_id).filter(
        model.Member.group_id == org_id, model.Member.table_name == "user", model.Member.state == "active",
        model.Member.capacity.in_(("admin", "editor")))
    return sorted({r for (r,) in rows})


def notify(user_ids: Iterable[str], subject: str, body: str, link: str = "", mail: bool = False) -> int:
    """Write the in-app notices; mail them too when `mail` (a duty the regulation names) or
    ckanext.qingyang.notify_by_mail is on."""
    ids = sorted(set(user_ids))
    if not ids:
        return 0
    now = dt.datetime.utcnow()
    model.Session.execute(notice.insert(), [
        {"id": str(uuid.uuid4()), "user_id": uid, "created": now, "subject": subject, "body": body, "link": link}
        for uid in ids])
    model.Session.commit()
    if mail or tk.config.get("ckanext.qingyang.notify_by_mail"):
        _mail(ids, subject, body, link)
    return len(ids)


def _mail(user_ids: list[str], subject: str, body: str, link: str) -> None:
    from ckan.lib import mailer

    for uid in user_ids:
        user = model.User.get(uid)
        if user is None or not user.email:
            continue
        try:
            mailer.mail_user(user, subject, body + (f"\n\n{link}" if link else ""))
        except mailer.MailerException as e:  # the notice is already in the app
            log.warning("notice mail to %s failed: %s", user.name, e)


def for_user(user_id: str, unread_only: bool = False, limit: int = 200) -> list[dict]:
    t = notice.c
    q = sa.select(notice).where(t.user_id == user_id).order_by(t.created.desc()).limit(limit)
    if unread_only:
        q = q.where(t.read_at.is_(None))
    out = []
    for r in model.Session.execute(q).mappings():
        d = dict(r)
        d["created"] = d["created"].isoformat()
        d["read_at"] = d["read_at"].isoformat() if d["read_at"] else None
        out.append(d)
    return out


def unread_count(user_id: str) -> int:
    t = notice.c
    return model.Session.execute(sa.select(sa.func.count()).select_from(notice).where(
        t.user_id == user_id, t.read_at.is_(None))).scalar() or 0


def mark_read(user_id: str, notice_id: str | None = None) -> int:
    t = notice.c
    q = notice.update().where(t.user_id == user_id, t.read_at.is_(None))
    if notice_id:
        q = q.where(t.id == notice_id)
    n = model.Session.execute(q.values(read_at=dt.datetime.utcnow())).rowcount
    model.Session.commit()
    return n


# ---------------------------------------------------------------- actions
@tk.side_effect_free
def qingyang_notice_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """The caller's notices, newest first.

    :param unread: true for unread ones only
    """
    tk.check_access("qingyang_notice_list", context, data_dict)
    return for_user(access.context_user(context).id, tk.asbool(data_dict.get("unread")))


def qingyang_notice_read(context: dict, data_dict: dict) -> dict[str, int]:
    """Mark one notice (id) or all of the caller's notices as read."""
    tk.check_access("qingyang_notice_list", context, data_dict)
    return {"marked": mark_read(access.context_user(context).id, data_dict.get("id"))}


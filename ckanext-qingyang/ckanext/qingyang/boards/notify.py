"""The boards' notices: in the app (sharing/notices.py) and by mail through CKAN's mailer.

第十五条 wants the 督办单 (and the reminders and 催办 before it) to reach the department's
admins by mail, so the boards mail whenever ckanext.qingyang.boards.mail is on, whatever
ckanext.qingyang.notify_by_mail says for the other notices. Mails are plain text: what the
asker typed (markup included) travels as text and is never rendered."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.sharing import notices


def org_admins(org_id: str | None) -> list[str]:
    """The department's admins; its editors when it has no admin."""
    if not org_id:
        return []
    m = model.Member
    rows = model.Session.query(m.table_id, m.capacity).filter(
        m.group_id == org_id, m.table_name == "user", m.state == "active", m.capacity.in_(("admin", "editor")))
    rows = list(rows)
    admins = sorted({u for u, c in rows if c == "admin"})
    return admins or sorted({u for u, _ in rows})


def link(message_id: str) -> str:
    return f"{tk.config.get('ckan.site_url', '').rstrip('/')}/boards/messages/{message_id}"


def send(org_id: str | None, subject: str, body: str, message_id: str) -> int:
    """Notify the department's admins; commits the session (notices.notify does)."""
    users = org_admins(org_id)
    if not users:
        return 0
    return notices.notify(users, subject, body, link(message_id),
                          mail=tk.asbool(tk.config.get("ckanext.qingyang.boards.mail")))

"""通报 (第二十四条) actions: draft a month's bulletin from its scoreboard, read and list them,
and issue a draft (files archived with their hashes, the named organizations notified in the
app and by mail). Drafts are the platform admin's; issued bulletins are read by government
users."""
from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.core import assessment
from ckanext.qingyang.sharing import access, notices
from ckanext.qingyang.supervision.assessment import actions as board_actions
from ckanext.qingyang.supervision.bulletins import documents
from ckanext.qingyang.supervision.bulletins.model import bulletin

log = logging.getLogger(__name__)
RESPONSIBLE_KEYS = [k for k, _ in documents.RESPONSIBLE]


def _row(r: Any) -> dict[str, Any]:
    d = dict(r)
    for k in ("created_at", "issued_at"):
        d[k] = d[k].isoformat() if d.get(k) else None
    d["title"] = title(d["month"])
    d["state_label"] = {"draft": "草稿(待审定)", "issued": "已印发"}[d["state"]]
    return d


def title(month: str) -> str:
    return f"关于{month[:4]}年{int(month[5:7])}月政务服务网内容保障情况的通报"


def _get(bulletin_id: str) -> dict[str, Any]:
    r = model.Session.execute(sa.select(bulletin).where(bulletin.c.id == bulletin_id)).mappings().first()
    if r is None:
        raise tk.ObjectNotFound(f"通报不存在: {bulletin_id}")
    return _row(r)


def _user(context: dict) -> model.User:
    return access.context_user(context)


def build(month: str) -> dict[str, Any]:
    """The content a month's 通报 names, from its board (the snapshot if taken) and each named
    organization's 责任人 as they stand now."""
    board = board_actions.board_for(month)
    rules = assessment.bulletin_rules(Path(tk.config.get("ckanext.qingyang.catalogs_dir")))
    rows = []
    for r in board["rows"]:
        org = model.Group.get(r["organization_id"])
        extras = (org.extras or {}) if org else {}
        rows.append(dict(r, responsible={k: extras.get(k) or "" for k in RESPONSIBLE_KEYS}))
    content = assessment.bulletin_content(rows, board_actions.counties(board["rows"]), rules)
    for c in content["counties"]:
        gov = model.Group.get(c["organization"]) if c.get("organization") else None
        c["responsible"] = {k: ((gov.extras or {}).get(k) or "") for k in RESPONSIBLE_KEYS} if gov else {}
    return dict(content, month=month, rules_from=board["rules_from"], snapshot=board["snapshot"] is not None,
                generated_at=dt.datetime.now(dt.timezone.utc).isoformat(), county_below=rules["county_below"])


def qingyang_bulletin_draft(context: dict, data_dict: dict) -> dict[str, Any]:
    """Draft (or redraft) a finished month's 通报 from its scoreboard.

    :param month: YYYY-MM, before the current month
    :param if_not_issued: true: a month whose bulletin is issued is reported, not refused
        (the monthly DAG's rerun)
    """
    tk.check_access("qingyang_bulletin_draft", context, data_dict)
    month = board_actions._month_param(data_dict.get("month"))
    if month >= board_actions.this_month():
        raise tk.ValidationError({"month": [f"{month} 尚未结束,月末之后才能起草通报"]})
    t = bulletin.c
    issued = model.Session.execute(sa.select(t.id).where(t.month == month, t.state == "issued")).scalar()
    if issued:
        if tk.asbool(data_dict.get("if_not_issued")):
            return _get(issued)
        raise tk.ValidationError({"month": [f"{month} 的通报已印发,不能重新起草"]})
    content = build(month)
    user = _user(context)
    existing = model.Session.execute(sa.select(t.id).where(t.month == month, t.state == "draft")).scalar()
    if existing:
        model.Session.execute(bulletin.update().where(t.id == existing).values(
            content=content, created_at=sa.func.now(), created_by=user.name))
        bid = existing
    else:
        bid = str(uuid.uuid4())
        model.Session.execute(bulletin.insert().values(id=bid, month=month, state="draft", content=content,
                                                       created_by=user.name))
    model.Session.commit()
    return _get(bid)


def _may_read(context: dict, b: dict[str, Any]) -> None:
    who = access.user_facts(_user(context))
    if b["state"] == "draft" and not (who.sysadmin or who.platform_admin):
        raise tk.NotAuthorized("通报草稿仅平台管理员可以查看")


@tk.side_effect_free
def qingyang_bulletin_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """One 通报 with its content (who it names and why).

    :param id: the bulletin's id
    """
    tk.check_access("qingyang_bulletin_show", context, data_dict)
    b = _get(data_dict.get("id") or "")
    _may_read(context, b)
    return b


@tk.side_effect_free
def qingyang_bulletin_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Issued 通报, newest first; with drafts for the platform admin. Content left out."""
    tk.check_access("qingyang_bulletin_list", context, data_dict)
    who = access.user_facts(_user(context))
    t = bulletin.c
    q = sa.select(bulletin).order_by(t.month.desc(), t.state.desc())
    if not (who.sysadmin or who.platform_admin):
        q = q.where(t.state == "issued")
    out = []
    for r in model.Session.execute(q).mappings():
        d = _row(r)
        d["summary"] = d.pop("content").get("summary")
        out.append(d)
    return out


def qingyang_bulletin_issue(context: dict, data_dict: dict) -> dict[str, Any]:
    """Issue a reviewed draft: its XLSX and PDF are archived (read-only, SHA-256 recorded), the
    row can no longer change, and everyone it names is notified in the app and by mail.

    :param id: the draft's id
    """
    tk.check_access("qingyang_bulletin_issue", context, data_dict)
    b = _get(data_dict.get("id") or "")
    if b["state"] != "draft":
        raise tk.ValidationError({"id": ["该通报已印发"]})
    user = _user(context)
    issued = dt.datetime.now(dt.timezone.utc)
    b.update(number=f"庆阳政务服务网通报〔{b['month'][:4]}〕第{int(b['month'][5:7])}期", issued_at=issued.isoformat(),
             issued_by=user.name)
    pdf = documents.pdf(b)
    files = documents.store(b, {"xlsx": documents.xlsx(b), "pdf": pdf})
    recipients = _recipients(b["content"])
    model.Session.execute(bulletin.update().where(bulletin.c.id == b["id"]).values(
        state="issued", number=b["number"], issued_at=issued, issued_by=user.name, files=files,
        recipients=sorted(u.name for u in recipients.values())))
    model.Session.commit()
    _notify(b, recipients, pdf)
    return _get(b["id"])


def _recipients(content: dict[str, Any]) -> dict[str, model.User]:
    """The editors and admins of each named organization and named county government."""
    org_ids = [o["organization_id"] for o in content["organizations"]]
    for c in content["counties"]:
        gov = model.Group.get(c["organization"]) if c.get("organization") else None
        if gov:
            org_ids.append(gov.id)
    site_user = tk.config.get("ckan.site_id")   # the site's own account made the organizations
    users = {}
    for org_id in org_ids:
        for uid in notices.org_editors(org_id):
            u = model.User.get(uid)
            if u is not None and u.state == "active" and u.name != site_user:
                users[u.id] = u
    return users


def _notify(b: dict[str, Any], recipients: dict[str, model.User], pdf: bytes) -> None:
    from ckan.lib import mailer

    link = f"{(tk.config.get('ckan.site_url') or '').rstrip('/')}/qingyang/bulletins/{b['id']}"
    subject = f"{b['number']} {b['title']}"
    s = b["content"]["summary"]
    body = (f"{b['title']}已印发,通报 {s['organizations']} 个单位、{s['counties']} 个县区政府,共 {s['items']} 项问题。"
            f"请贵单位分管领导、主管科室和专人对照问题逐项整改。")
    notices.notify(list(recipients), subject, body, link)
    if not tk.config.get("ckanext.qingyang.bulletins.mail"):
        return
    for u in recipients.values():
        if not u.email:
            continue
        try:
            mailer.mail_user(u, subject, f"{body}\n\n{link}",
                             attachments=[(f"通报-{b['month']}.pdf", io.BytesIO(pdf), "application/pdf")])
        except mailer.MailerException as e:   # the in-app notice is written already
            log.warning("bulletin mail to %s failed: %s", u.name, e)


ACTIONS = {f.__name__: f for f in (qingyang_bulletin_draft, qingyang_bulletin_show, qingyang_bulletin_list,
                                   qingyang_bulletin_issue)}

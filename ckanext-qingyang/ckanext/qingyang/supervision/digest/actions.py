"""待办周报: one mail per department a week, listing everything it still has to do, each with
its link. Departments with nothing open get no mail."""
from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.boards import model as boards_model
from ckanext.qingyang.catalog import timeliness
from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.timeliness import LABELS as RATING_LABELS, LATE
from ckanext.qingyang.model import review, share_request, version
from ckanext.qingyang.sharing import notices

log = logging.getLogger(__name__)
WAITING_MESSAGES = ("dispatched", "processing", "extension_requested")
SECTIONS = (("late_lists", "逾期未更新的清单"), ("reviews", "待审核的事项"), ("share_requests", "待答复的共享申请"),
            ("messages", "待答复的留言"), ("red_cards", "红牌办件"), ("findings", "未整改的风险"))


def _site() -> str:
    return (tk.config.get("ckan.site_url") or "").rstrip("/")


def duties(org: model.Group) -> dict[str, list[dict[str, str]]]:
    """The department's open duties, each {title, detail, url}."""
    site, today = _site(), dt.date.today()
    out: dict[str, list[dict[str, str]]] = {key: [] for key, _ in SECTIONS}
    for type_name, r in sorted(timeliness.for_organization(org.id).items()):
        if r["rating"] in LATE:
            out["late_lists"].append({"title": listdef.load_type(type_name).list_label,
                                      "detail": f"{RATING_LABELS[r['rating']]},最后确认 {r.get('last_confirmed') or '从未'}",
                                      "url": f"{site}/{type_name}/?organization={org.name}"})
    approved = {(r.version_id, r.office_org) for r in model.Session.execute(
        sa.select(review.c.version_id, review.c.office_org).where(review.c.decision == "approve"))}
    for v in model.Session.execute(sa.select(version).where(version.c.state == "pending")
                                   .order_by(version.c.submitted_at)).mappings():
        offices = json.loads(v["offices"] or "{}").values()
        if org.id in offices and (v["id"], org.id) not in approved:
            out["reviews"].append({"title": v["title"] or v["package_id"],
                                   "detail": f"{v['submitted_at']:%Y-%m-%d} 提交", "url": f"{site}/qingyang/review"})
    t = share_request.c
    for r in model.Session.execute(sa.select(share_request).where(t.owner_org == org.id, t.status == "pending")
                                   .order_by(t.due_date)).mappings():
        late = "(已逾期)" if r["due_date"] < today else ""
        out["share_requests"].append({"title": r["purpose"][:40], "detail": f"应于 {r['due_date']} 前答复{late}",
                                      "url": f"{site}/qingyang/share-requests"})
    m = boards_model.message.c
    for r in model.Session.execute(sa.select(m.id, m.title, m.deadline).where(
            m.organization_id == org.id, m.status.in_(WAITING_MESSAGES)).order_by(m.deadline)):
        late = "(已逾期)" if r.deadline and r.deadline < today else ""
        out["messages"].append({"title": r.title, "detail": f"期限 {r.deadline}{late}",
                                "url": f"{site}/boards/messages/{r.id}"})
    from ckanext.qingyang.supervision.efficiency import facts as cases
    from ckanext.qingyang.supervision.risk import facts as risk

    month = today.strftime("%Y-%m")
    for e in cases.department_month(org.id, month)["evidence"]:
        if e["label"] == "红牌":
            out["red_cards"].append({"title": e.get("item_title") or "", "detail": f"办件编号 {e['case_no']}",
                                     "url": site + e["url"] if e.get("url", "").startswith("/") else e.get("url", "")})
    for f in risk.open_findings(org.id):
        out["findings"].append({"title": f["package_title"], "detail": f"{f['rule_label']}:{f['where']}",
                                "url": site + f["url"] if f["url"].startswith("/") else f["url"]})
    return out


def body(org: model.Group, found: dict[str, list[dict[str, str]]]) -> str:
    lines = [f"{org.title}:", "", "以下是贵单位在庆阳市政务信息资源共享与公开平台上尚未办结的事项,请及时办理。", ""]
    for key, label in SECTIONS:
        if found[key]:
            lines.append(f"【{label}】{len(found[key])} 项")
            lines += [f"  - {d['title']}({d['detail']}) {d['url']}" for d in found[key]]
            lines.append("")
    lines.append("本邮件每周一发送;没有待办事项的单位不会收到。")
    return "\n".join(lines)


def qingyang_digest_send(context: dict, data_dict: dict) -> dict[str, Any]:
    """Mail each department's editors and admins their open duties (and note them in the app).

    :param organization: only this department (name or id)
    :param dry_run: true: return the digests without sending
    """
    tk.check_access("qingyang_digest_send", context, data_dict)
    from ckan.lib import mailer

    q = model.Session.query(model.Group).filter(model.Group.is_organization.is_(True), model.Group.state == "active")
    if data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        if org is None:
            raise tk.ObjectNotFound(f"部门不存在: {data_dict['organization']}")
        q = q.filter(model.Group.id == org.id)
    site_user = tk.config.get("ckan.site_id")
    sent, digests = 0, []
    for org in q.order_by(model.Group.name):
        found = duties(org)
        total = sum(len(v) for v in found.values())
        if not total:
            continue
        users = [u for u in (model.User.get(i) for i in notices.org_editors(org.id))
                 if u is not None and u.state == "active" and u.name != site_user]
        subject = f"待办周报:{org.title} 有 {total} 项待办"
        text = body(org, found)
        digests.append({"organization": org.name, "total": total, "recipients": [u.name for u in users],
                        "sections": {k: len(v) for k, v in found.items()}, "body": text})
        if tk.asbool(data_dict.get("dry_run")):
            continue
        notices.notify([u.id for u in users], subject, f"共 {total} 项待办,详见邮件或各页面。", "")
        for u in users:
            if not u.email:
                continue
            try:
                mailer.mail_user(u, subject, text)
                sent += 1
            except mailer.MailerException as e:   # the in-app notice is written already
                log.warning("digest mail to %s failed: %s", u.name, e)
    return {"organizations": len(digests), "mails": sent, "digests": digests}


ACTIONS = {"qingyang_digest_send": qingyang_digest_send}

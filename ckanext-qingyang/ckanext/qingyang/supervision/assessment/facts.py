"""督查考核: the facts behind every indicator, for every organization and one month.

Each function returns {organization id: core.assessment.Fact}; every deduction carries its
evidence ({label, title, url}). Facts with a time (submissions, reviews, share requests,
replies, cases) are those of the month; facts that are a state (what is published, the
lists' ratings, the named 责任人, open findings) are read as they are when the month is
computed. That is why a finished month is snapshotted (model.py) and read from then on.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Any

import ckan.model as model
import sqlalchemy as sa
from sqlalchemy import func

from ckanext.qingyang.boards import model as boards_model
from ckanext.qingyang.catalog import jurisdiction, submissions, timeliness
from ckanext.qingyang.core import assessment, listdef
from ckanext.qingyang.core.assessment import Fact
from ckanext.qingyang.core.timeliness import LABELS as RATING_LABELS
from ckanext.qingyang.deadlines import calendar, limits
from ckanext.qingyang.model import review, share_request, version
from ckanext.qingyang.publishing import workflow

ACCOUNTABLE = (("leader_in_charge", "分管领导"), ("responsible_office", "主管科室"), ("content_officer", "专人"))


def organizations() -> list[dict[str, Any]]:
    """Every active organization with what the scoreboard groups and rules by."""
    out = []
    for g in model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                     model.Group.state == "active"):
        extras = g.extras or {}
        place = jurisdiction.place(g)
        out.append({"id": g.id, "name": g.name, "title": g.title, "kind": extras.get("kind") or "",
                    "level": place["jurisdiction_level"], "county_code": place["county_code"],
                    "county": place["county"], "roles": sorted(jurisdiction.roles(g)),
                    "extras": dict(extras)})
    return out


def _period(month: str) -> tuple[dt.datetime, dt.datetime, dt.date]:
    """The month's bounds and the day the state facts are read as of (its last day, or today)."""
    start, end = assessment.month_bounds(month)
    as_of = min(end - dt.timedelta(days=1), dt.date.today())
    return dt.datetime.combine(start, dt.time()), dt.datetime.combine(end, dt.time()), as_of


def _list_label(type_name: str) -> str:
    try:
        return listdef.load_type(type_name).list_label
    except Exception:   # a type no longer defined still shows by its name
        return type_name


def completeness(orgs: list[dict], rules: assessment.Rules) -> dict[str, Fact]:
    pkg = model.Package
    status = func.coalesce(pkg.extras["list_status"].astext, "current")
    published: dict[str, set[str]] = defaultdict(set)
    for owner, type_name in model.Session.query(pkg.owner_org, pkg.type).filter(
            pkg.state == "active", pkg.private.is_(False), pkg.type.in_(listdef.TYPE_NAMES),
            status == "current").distinct():
        published[owner].add(type_name)
    out = {}
    for o in orgs:
        duties = assessment.duties_for(o, rules)
        missing = [t for t in duties if t not in published[o["id"]]]
        out[o["id"]] = Fact(len(duties), len(duties) - len(missing), {"duties": duties, "missing": missing},
                            [{"label": "未发布", "title": _list_label(t), "url": f"/organization/{o['name']}"}
                             for t in missing])
    return out


def timeliness_fact(orgs: list[dict]) -> dict[str, Fact]:
    rows = model.Session.query(model.TaskStatus).filter(model.TaskStatus.task_type == timeliness.TASK_TYPE)
    by_org: dict[str, list[dict]] = defaultdict(list)
    for ts in rows:
        by_org[ts.entity_id].append(json.loads(ts.value))
    out = {}
    for o in orgs:
        ratings: dict[str, int] = defaultdict(int)
        evidence = []
        for r in sorted(by_org[o["id"]], key=lambda r: r["type_name"]):
            ratings[r["rating"]] += 1
            if r["rating"] != "fresh":
                evidence.append({"label": RATING_LABELS.get(r["rating"], r["rating"]), "title": _list_label(r["type_name"]),
                                 "detail": f"最后确认 {r.get('last_confirmed') or '从未'},周期 {r.get('cycle_days')} 天",
                                 "url": f"/{r['type_name']}/?organization={o['name']}"})
        n = sum(ratings.values())
        out[o["id"]] = Fact(n, ratings.get("fresh", 0), {"ratings": dict(ratings)}, evidence)
    return out


def quality(orgs: list[dict], month: str) -> dict[str, Fact]:
    """The GX result of each list's latest submission recorded in the month."""
    start, end, _ = _period(month)
    rows = model.Session.query(model.TaskStatus).filter(
        model.TaskStatus.task_type == submissions.TASK_TYPE, model.TaskStatus.last_updated >= start,
        model.TaskStatus.last_updated < end).order_by(model.TaskStatus.last_updated)
    latest: dict[tuple[str, str], tuple[Any, dict]] = {}
    for ts in rows:
        report = json.loads(ts.value or "{}")
        if "quality" in report and report.get("type_name"):
            latest[(ts.entity_id, report["type_name"])] = (ts, report)
    out = {o["id"]: Fact() for o in orgs}
    names = {o["id"]: o["name"] for o in orgs}
    for (org_id, type_name), (ts, report) in latest.items():
        if org_id not in out:
            continue
        fact = out[org_id]
        fact.n += 1
        if (report.get("quality") or {}).get("success"):
            fact.good += 1
        else:
            fact.evidence.append({"label": "质量检查未通过", "title": f"{_list_label(type_name)} {report.get('file_name', '')}",
                                  "detail": ts.last_updated.date().isoformat(),
                                  "url": f"/qingyang/submissions/{names[org_id]}"})
    return out


def review_fact(orgs: list[dict], month: str) -> dict[str, Fact]:
    """Reviews an office decided in the month, and items still waiting past the limit."""
    start, end, as_of = _period(month)
    cal, limit = calendar(), limits().review_days
    reviewing = workflow.reviewing_roles()
    out = {o["id"]: Fact(applies=bool(set(o["roles"]) & reviewing)) for o in orgs}
    q = sa.select(review.c.office_org, review.c.at, review.c.package_id, version.c.submitted_at, version.c.title).join(
        version, version.c.id == review.c.version_id).where(review.c.at >= start, review.c.at < end)
    for office, at, package_id, submitted, title in model.Session.execute(q):
        fact = out.get(office)
        if fact is None or submitted is None:
            continue
        fact.n += 1
        age = cal.between(submitted.date(), at.date())
        if age <= limit:
            fact.good += 1
        else:
            fact.evidence.append({"label": "审核超时", "title": title, "detail": f"用时 {age} 个工作日(时限 {limit})",
                                  "url": f"/dataset/{package_id}"})
    # waiting at the month's end (or today) for longer than the limit: late, not yet decided
    pending = model.Session.execute(sa.select(version).where(version.c.state == "pending",
                                                             version.c.submitted_at < end)).mappings()
    decided: dict[str, set[str]] = defaultdict(set)
    for r in model.Session.execute(sa.select(review.c.version_id, review.c.office_org).where(
            review.c.decision == "approve", review.c.at < end)):
        decided[r.version_id].add(r.office_org)
    for row in pending:
        age = cal.between(row["submitted_at"].date(), as_of)
        if age <= limit:
            continue
        for office in set(workflow.review_offices(row).values()) - decided[row["id"]]:
            fact = out.get(office)
            if fact is not None:
                fact.n += 1
                fact.evidence.append({"label": "待审超时", "title": row["title"],
                                      "detail": f"已等待 {age} 个工作日(时限 {limit})",
                                      "url": "/qingyang/review"})
    return out


def sharing(orgs: list[dict], month: str) -> dict[str, Fact]:
    """Share requests due in the month: answered by the due date or not."""
    start, end, as_of = _period(month)
    t = share_request.c
    out = {o["id"]: Fact() for o in orgs}
    q = sa.select(share_request).where(t.due_date >= start.date(), t.due_date < end.date())
    for r in model.Session.execute(q).mappings():
        fact = out.get(r["owner_org"])
        if fact is None:
            continue
        decided = r["decided_at"].date() if r["decided_at"] else None
        if decided is None and r["due_date"] >= as_of:
            continue   # not due yet
        fact.n += 1
        if decided is not None and decided <= r["due_date"]:
            fact.good += 1
        else:
            fact.evidence.append({"label": "超期答复" if decided else "逾期未答复", "title": r["purpose"][:40],
                                  "detail": f"应于 {r['due_date']} 前答复" + (f",{decided} 答复" if decided else ""),
                                  "url": "/qingyang/share-requests"})
    return out


def messages(orgs: list[dict], month: str) -> dict[str, Fact]:
    """Replies given in the month (on time or not, and their ratings), messages whose
    deadline passed in the month without a reply, and the 督办 received."""
    start, end, as_of = _period(month)
    m = boards_model.message.c
    out = {o["id"]: Fact(extra={"rated": 0, "satisfied": 0, "supervised": 0}) for o in orgs}
    q = sa.select(m.id, m.code, m.title, m.reply_org, m.reply_on_time, m.reply_days, m.first_rating).where(
        m.reply_at >= start, m.reply_at < end)
    for r in model.Session.execute(q):
        fact = out.get(r.reply_org)
        if fact is None:
            continue
        fact.n += 1
        if r.reply_on_time:
            fact.good += 1
        else:
            fact.evidence.append({"label": "超期答复", "title": r.title, "detail": f"用时 {r.reply_days} 个工作日",
                                  "url": f"/boards/messages/{r.id}"})
        if r.first_rating:
            fact.extra["rated"] += 1
            if r.first_rating in ("satisfied", "basically"):
                fact.extra["satisfied"] += 1
            else:
                fact.evidence.append({"label": "不满意", "title": r.title, "url": f"/boards/messages/{r.id}",
                                      "late": False})
    unanswered = sa.select(m.id, m.title, m.organization_id, m.deadline).where(
        m.reply_at.is_(None), m.deadline >= start.date(), m.deadline < min(end.date(), as_of))
    for r in model.Session.execute(unanswered):
        fact = out.get(r.organization_id)
        if fact is not None:
            fact.n += 1
            fact.evidence.append({"label": "逾期未答复", "title": r.title, "detail": f"期限 {r.deadline}",
                                  "url": f"/boards/messages/{r.id}"})
    s = boards_model.supervision.c
    for r in model.Session.execute(sa.select(s.organization_id, s.message_id, s.days_late, s.issued_at).where(
            s.issued_at >= start, s.issued_at < end)):
        fact = out.get(r.organization_id)
        if fact is not None:
            fact.extra["supervised"] += 1
            fact.evidence.append({"label": "督办", "title": f"逾期 {r.days_late} 个工作日被督办",
                                  "detail": r.issued_at.date().isoformat(), "url": f"/boards/messages/{r.message_id}"})
    return out


def efficiency(orgs: list[dict], month: str) -> dict[str, Fact]:
    from ckanext.qingyang.supervision.efficiency import facts as cases

    out = {}
    for o in orgs:
        f = cases.department_month(o["id"], month)
        out[o["id"]] = Fact(f["cases"], f["on_time"], {"red_cards": f["red_cards"], "over_promised": f["over_promised"],
                                                       "over_statutory": f["over_statutory"]},
                            [{"label": e["label"], "title": e.get("item_title") or "", "detail": f"办件编号 {e['case_no']}",
                              "url": e.get("url")} for e in f["evidence"]])
    return out


def security(orgs: list[dict], month: str) -> dict[str, Fact]:
    from ckanext.qingyang.supervision.risk import facts as risk

    _, _, as_of = _period(month)
    out = {}
    for o in orgs:
        found = risk.open_findings(o["id"], as_of)
        out[o["id"]] = Fact(len(found), 0, {}, [{"label": "风险未整改", "title": f["package_title"],
                                                 "detail": f"{f['rule_label']}:{f['where']}(自 {f['first_found']})",
                                                 "url": f["url"]} for f in found])
    return out


def accountability(orgs: list[dict]) -> dict[str, Fact]:
    out = {}
    for o in orgs:
        missing = [label for key, label in ACCOUNTABLE if not str(o["extras"].get(key) or "").strip()]
        named = {key: o["extras"].get(key) for key, _ in ACCOUNTABLE}
        out[o["id"]] = Fact(len(ACCOUNTABLE), len(ACCOUNTABLE) - len(missing), {"named": named},
                            [{"label": "未明确", "title": label, "url": f"/organization/edit/{o['name']}"}
                             for label in missing])
    return out


def month_facts(orgs: list[dict], month: str, rules: assessment.Rules) -> dict[str, dict[str, Fact]]:
    """{organization id: {indicator: Fact}} for one month."""
    per_indicator = {
        "completeness": completeness(orgs, rules), "timeliness": timeliness_fact(orgs),
        "quality": quality(orgs, month), "review": review_fact(orgs, month), "sharing": sharing(orgs, month),
        "messages": messages(orgs, month), "efficiency": efficiency(orgs, month),
        "security": security(orgs, month), "accountability": accountability(orgs),
    }
    return {o["id"]: {k: facts[o["id"]] for k, facts in per_indicator.items()} for o in orgs}

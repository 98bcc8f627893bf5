"""效能监察's facts, read by the page, the 办事指南 and the 督查考核 scoreboard.

The scoreboard's contract (keep it):

    department_month(org_id: str, month: str) -> dict
        month "YYYY-MM"; returns
        {"cases": int          closed that month (办结/不予受理/退回/撤回, by 办结时间),
         "on_time": int        of those, 按时 (≤ promised_days working days),
         "over_promised": int  超承诺时限 (over promised_days, within statutory_days),
         "over_statutory": int 超法定时限 (over statutory_days),
         "red_cards": int      cases red (past the promised limit and still open) on some day of the month,
         "evidence": [{"case_no", "item_title", "label" (超承诺时限/超法定时限/红牌), "url"}]}
    red_card_url(org_id, month) -> str    the page listing them

The timing rules are core/cases.py's; the columns were computed at load (actions.py).
"""
from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import ckan.model as model
import sqlalchemy as sa
from ckan.lib.helpers import url_for

from ckanext.qingyang.core import cases as rules

LABEL_RED = rules.RED
LOCAL = ZoneInfo("Asia/Shanghai")      # the approval systems' clock


def month_range(month: str) -> tuple[dt.date, dt.date]:
    """First day of the month and first day of the next."""
    start = dt.date.fromisoformat(f"{month}-01")
    if len(month) != 7:
        raise ValueError(month)
    nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, nxt


def today() -> dt.date:
    from ckanext.qingyang.supervision.efficiency.actions import local_now
    return local_now().date()


def page_url(org_id: str | None = None, month: str | None = None) -> str:
    params = {k: v for k, v in (("organization", org_id), ("month", month)) if v}
    return url_for("qingyang_efficiency.index", **params)


def red_card_url(org_id: str, month: str) -> str:
    return page_url(org_id, month) + "#red-cards"


def case_url(org_id: str, month: str, case_no: str) -> str:
    return page_url(org_id, month) + f"#case-{case_no}"


RED_SQL = """
  organization_id = :org AND due_on + 1 < :cutoff
  AND (closed_on IS NULL OR (closed_on > due_on AND closed_on >= :start))
  AND accepted_at < :end_ts
"""


def _red_cutoff(end: dt.date, now: dt.date) -> dt.date:
    """Exclusive end of the days a case can have been red in: the month's end, or tomorrow."""
    return min(end, now + dt.timedelta(days=1))


def department_month(org_id: str, month: str) -> dict[str, Any]:
    start, end = month_range(month)
    s = model.Session
    p = {"org": org_id, "start": start, "end": end}
    row = s.execute(sa.text(
        "SELECT count(*), count(*) FILTER (WHERE verdict = :ok), count(*) FILTER (WHERE verdict = :op), "
        "count(*) FILTER (WHERE verdict = :os) FROM qingyang_case "
        "WHERE organization_id = :org AND closed_on >= :start AND closed_on < :end"),
        {**p, "ok": rules.ON_TIME, "op": rules.OVER_PROMISED, "os": rules.OVER_STATUTORY}).one()
    base = page_url(org_id, month)      # once: url_for per evidence row costs more than the query
    evidence = [{"case_no": no, "item_title": title, "label": verdict, "url": f"{base}#case-{no}"}
                for no, title, verdict in s.execute(sa.text(
                    "SELECT case_no, item_title, verdict FROM qingyang_case WHERE organization_id = :org "
                    "AND closed_on >= :start AND closed_on < :end AND verdict <> :ok ORDER BY case_no"),
                    {**p, "ok": rules.ON_TIME})]
    reds = s.execute(sa.text(f"SELECT case_no, item_title FROM qingyang_case WHERE {RED_SQL} ORDER BY case_no"),
                     {**p, "cutoff": _red_cutoff(end, today()),
                      "end_ts": dt.datetime.combine(end, dt.time())}).all()
    red_url = base + "#red-cards"
    evidence += [{"case_no": no, "item_title": title, "label": LABEL_RED, "url": red_url} for no, title in reds]
    return {"cases": row[0], "on_time": row[1], "over_promised": row[2], "over_statutory": row[3],
            "red_cards": len(reds), "evidence": evidence}


def monthly(org_ids: list[str] | None, month: str) -> list[dict[str, Any]]:
    """Per department, the month's 办件量, 按时办结率, 平均用时 (working days), 超时 (for the page)."""
    start, end = month_range(month)
    where = "closed_on >= :start AND closed_on < :end"
    params: dict[str, Any] = {"start": start, "end": end, "ok": rules.ON_TIME}
    if org_ids is not None:
        where += " AND organization_id = ANY(:orgs)"
        params["orgs"] = list(org_ids)
    rows = model.Session.execute(sa.text(
        f"SELECT organization_id, count(*), count(*) FILTER (WHERE verdict = :ok), avg(days), "
        f"count(*) FILTER (WHERE verdict <> :ok), bool_or(demo) FROM qingyang_case WHERE {where} "
        f"GROUP BY organization_id"), params).all()
    out = []
    for org_id, n, ok, avg, late, demo in rows:
        org = model.Group.get(org_id)
        out.append({"organization_id": org_id, "title": org.title if org else org_id, "cases": n, "on_time": ok,
                    "on_time_rate": ok / n if n else None, "avg_days": float(avg) if avg is not None else None,
                    "late": late, "demo": bool(demo)})
    return sorted(out, key=lambda r: r["title"])


def open_cards(org_ids: list[str] | None, limit: int = 500) -> list[dict[str, Any]]:
    """Open cases now red or yellow (core/cases.py's rule), most overdue first."""
    from ckanext.qingyang import deadlines

    cal, now = deadlines.calendar(), today()
    # yellow: at most one working day left; the due date is then at most a few calendar days ahead
    where = "status = :open AND due_on <= :soon"
    params: dict[str, Any] = {"open": rules.OPEN, "soon": now + dt.timedelta(days=10), "limit": limit}
    if org_ids is not None:
        where += " AND organization_id = ANY(:orgs)"
        params["orgs"] = list(org_ids)
    out = []
    for r in model.Session.execute(sa.text(
            f"SELECT case_no, organization_id, item_title, accepted_at, due_on, demo FROM qingyang_case "
            f"WHERE {where} ORDER BY due_on, case_no LIMIT :limit"), params).mappings():
        left = cal.days_left(r["due_on"], now)
        card = rules.card_for(left)
        if card:
            org = model.Group.get(r["organization_id"])
            out.append({**r, "card": card, "days_left": left, "org_title": org.title if org else ""})
    return out


def quarantined(org_ids: list[str] | None, limit: int = 500) -> list[dict[str, Any]]:
    """Unresolved quarantined records with their reasons (unmatched ones first)."""
    where = "resolved_at IS NULL"
    params: dict[str, Any] = {"limit": limit}
    if org_ids is not None:
        where += " AND organization_id = ANY(:orgs)"
        params["orgs"] = list(org_ids)
    rows = [dict(r) for r in model.Session.execute(sa.text(
        f"SELECT case_no, organization_id, department, field, kind, reason, last_seen FROM qingyang_case_quarantine "
        f"WHERE {where} ORDER BY (kind <> 'unknown_item'), last_seen DESC, id LIMIT :limit"), params).mappings()]
    titles: dict[str, str] = {}
    for r in rows:
        if r["organization_id"] and r["organization_id"] not in titles:
            org = model.Group.get(r["organization_id"])
            titles[r["organization_id"]] = org.title if org else ""
        r["org_title"] = titles.get(r["organization_id"] or "", "")
    return rows


def item_year(item_id: str) -> dict[str, Any]:
    """An item's last 12 months for its 办事指南: 办件量, 按时办结率, 平均用时."""
    since = today() - dt.timedelta(days=365)
    n, ok, avg = model.Session.execute(sa.text(
        "SELECT count(*), count(*) FILTER (WHERE verdict = :ok), avg(days) FROM qingyang_case "
        "WHERE item_id = :item AND closed_on > :since"), {"item": item_id, "since": since, "ok": rules.ON_TIME}).one()
    return {"cases": n, "on_time_rate": ok / n if n else None, "avg_days": float(avg) if avg is not None else None}


def platform_admin_ids() -> list[str]:
    """Members of the organizations with the platform_admin duty (市电子政务办)."""
    from ckanext.qingyang.catalog import jurisdiction

    orgs = [g.id for g in model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                                   model.Group.state == "active")
            if "platform_admin" in jurisdiction.roles(g)]
    if not orgs:
        return []
    rows = model.Session.query(model.Member.table_id).filter(
        model.Member.group_id.in_(orgs), model.Member.table_name == "user", model.Member.state == "active")
    return sorted({r for (r,) in rows})


def case_progress(row: dict[str, Any]) -> dict[str, Any]:
    """What 我要查 shows an applicant of their case (row: a qingyang_case row): the item, the
    department, each step reached, the status, the promised day and, while open, the working
    days left. Nothing about the applicant."""
    from ckanext.qingyang import deadlines

    def at(t: dt.datetime | None) -> str | None:      # stored naive in LOCAL, shown as such
        return t.replace(tzinfo=LOCAL).isoformat(timespec="minutes") if t else None

    org = model.Group.get(row["organization_id"])
    pkg = model.Package.get(row["item_id"])
    steps = [{"step": "受理", "at": at(row["accept_at"] or row["accepted_at"])}]
    steps += [{"step": step, "at": at(row[key])}
              for step, key in rules.STEP_KEYS.items() if step != "受理" and row.get(key)]
    open_ = row["status"] == rules.OPEN
    left = deadlines.calendar().days_left(row["due_on"], today()) if open_ else None
    return {"case_no": row["case_no"], "item_title": row["item_title"], "item_kind": row["item_kind"],
            "item_url": url_for(f"{pkg.type}.read", id=pkg.name) if pkg is not None and pkg.state == "active" else "",
            "department": org.title if org else "", "accepted_at": at(row["accepted_at"]),
            "steps": steps, "status": row["status"], "open": open_,
            "closed_at": at(row["closed_at"]),
            "promised_days": row["promised_days"], "due_on": row["due_on"].isoformat(),
            "days": row["days"], "verdict": row["verdict"], "days_left": left,
            "card": rules.card_for(left) if open_ else None,
            "demo": bool(row["demo"])}

"""风险评估's actions: the DAG reports each item's scan (qingyang_risk_report, pipeline token),
asks what it read last time (qingyang_risk_sources), and people list findings
(qingyang_risk_findings: a department its own, the platform admin all)."""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.core import risk as rules
from ckanext.qingyang.sharing import access, notices
from ckanext.qingyang.supervision.risk.model import finding, scan_run, source_state

log = logging.getLogger(__name__)


def _today(data_dict: dict) -> dt.date:
    raw = data_dict.get("today")
    if not raw:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(str(raw)[:10])
    except ValueError:
        raise tk.ValidationError({"today": [f"日期格式应为 YYYY-MM-DD:{raw}"]})


def _clean_findings(raw: Any) -> list[dict]:
    if not isinstance(raw, list):
        raise tk.ValidationError({"findings": ["应为列表"]})
    out = []
    for i, f in enumerate(raw, 1):
        if not isinstance(f, dict):
            raise tk.ValidationError({"findings": [f"第 {i} 条应为对象"]})
        missing = [k for k in ("source", "where", "rule", "masked") if not str(f.get(k) or "").strip()]
        if missing:
            raise tk.ValidationError({"findings": [f"第 {i} 条缺少 {', '.join(missing)}"]})
        if f["rule"] not in rules.RULES:
            raise tk.ValidationError({"findings": [f"第 {i} 条的规则未知:{f['rule']}"]})
        out.append({k: str(f[k]) for k in ("source", "where", "rule", "masked")})
    return out


def qingyang_risk_report(context: dict, data_dict: dict) -> dict[str, Any]:
    """One item's scan.

    :param run_id: the scan run (one DAG run)
    :param package_id: the item scanned
    :param sources: {source: fingerprint} of every source the item has now ("fields", a
        resource id, "datastore:<resource id>")
    :param unchanged: the sources not read again (same fingerprint as recorded): their open
        findings stay as they are
    :param findings: [{source, where, rule, masked}] found in the sources read
    :param today: YYYY-MM-DD (default today)

    A finding already open stays the same finding; an open finding of a source that was read
    (or that the item no longer has) and is not found again is closed today. New findings
    notify the department's admins and editors in the app. All in one transaction.
    """
    tk.check_access("qingyang_risk_report", context, data_dict)
    pkg = model.Package.get(str(data_dict.get("package_id") or ""))
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(f"事项不存在:{data_dict.get('package_id')}")
    run_id = str(data_dict.get("run_id") or "").strip()
    if not run_id:
        raise tk.ValidationError({"run_id": ["缺少扫描批次"]})
    sources = data_dict.get("sources") or {}
    unchanged = set(data_dict.get("unchanged") or ())
    if not isinstance(sources, dict) or not unchanged <= set(sources):
        raise tk.ValidationError({"unchanged": ["未读取的来源必须在 sources 中"]})
    found = _clean_findings(data_dict.get("findings") or [])
    stray = {f["source"] for f in found} - (set(sources) - unchanged)
    if stray:
        raise tk.ValidationError({"findings": [f"发现来自未读取的来源:{', '.join(sorted(stray))}"]})
    today, now = _today(data_dict), dt.datetime.utcnow()
    s = model.Session
    t = finding.c
    try:
        existing = {r.key: r for r in s.execute(sa.select(finding).where(t.package_id == pkg.id)).all()}
        new, kept, reopened = [], 0, 0
        keys = set()
        for f in found:
            key = rules.Finding(f["where"], f["rule"], f["masked"]).key
            if key in keys:
                continue
            keys.add(key)
            row = existing.get(key)
            if row is None:
                new.append({"id": str(uuid.uuid4()), "package_id": pkg.id, "key": key, "owner_org": pkg.owner_org,
                            "package_name": pkg.name, "package_title": pkg.title or pkg.name, **f,
                            "first_found": today, "last_found": today, "first_run": run_id, "last_run": run_id})
                continue
            reopened += row.closed_on is not None
            kept += row.closed_on is None
            values = {"last_found": today, "last_run": run_id, "closed_on": None, "owner_org": pkg.owner_org,
                      "package_title": pkg.title or pkg.name, "package_name": pkg.name}
            if row.closed_on is not None:   # found again after a fix: open from today
                values["first_found"] = today
            s.execute(finding.update().where(t.id == row.id).values(**values))
        if new:
            s.execute(finding.insert(), new)
        closable = [r.id for k, r in existing.items()
                    if r.closed_on is None and k not in keys and r.source not in unchanged]
        if closable:
            s.execute(finding.update().where(t.id.in_(closable)).values(closed_on=today, last_run=run_id))
        st = source_state.c
        s.execute(source_state.delete().where(st.package_id == pkg.id, st.source.notin_(list(sources))))
        for src, fp in sources.items():
            if src in unchanged:
                continue
            s.execute(source_state.delete().where(st.package_id == pkg.id, st.source == src))
            s.execute(source_state.insert().values(package_id=pkg.id, source=src, fingerprint=str(fp or ""),
                                                   scanned_at=now, run_id=run_id))
        read = [src for src in sources if src not in unchanged]
        tables = sum(src.startswith("datastore:") for src in read)
        _count_run(run_id, now, len(read) - tables, tables, len(unchanged))
        s.commit()
    except Exception:
        s.rollback()
        raise
    if new:
        body = "\n".join(f"- {f['where']}:{rules.RULES[f['rule']]}({f['masked']})" for f in new)
        notices.notify(notices.org_editors(pkg.owner_org), f"风险评估发现问题:{pkg.title or pkg.name}",
                       f"每周风险评估在已发布事项《{pkg.title or pkg.name}》中发现 {len(new)} 项问题"
                       f"(涉密标志或未脱敏的个人信息),请核实并处理:\n{body}",
                       tk.url_for("dataset.read", id=pkg.name))
    log.info("risk scan %s of %s: %d new, %d still open, %d reopened, %d closed",
             run_id, pkg.name, len(new), kept, reopened, len(closable))
    return {"package_id": pkg.id, "new": len(new), "still_open": kept, "reopened": reopened,
            "closed": len(closable)}


def _count_run(run_id: str, now: dt.datetime, read: int, tables: int, unchanged: int) -> None:
    r = scan_run.c
    done = model.Session.execute(scan_run.update().where(r.id == run_id).values(
        updated=now, items=r["items"] + 1, sources_read=r.sources_read + read, tables_read=r.tables_read + tables,
        sources_unchanged=r.sources_unchanged + unchanged))
    if not done.rowcount:
        model.Session.execute(scan_run.insert().values(id=run_id, started=now, updated=now, items=1, sources_read=read,
                                                       tables_read=tables, sources_unchanged=unchanged))


def qingyang_risk_sources(context: dict, data_dict: dict) -> dict[str, dict[str, str]]:
    """{package_id: {source: fingerprint}} as last read: the DAG skips what has not changed."""
    tk.check_access("qingyang_risk_report", context, data_dict)
    out: dict[str, dict[str, str]] = {}
    for r in model.Session.execute(sa.select(source_state)).all():
        out.setdefault(r.package_id, {})[r.source] = r.fingerprint
    return out


def finding_dict(r: Any) -> dict[str, Any]:
    return {"id": r.id, "package_id": r.package_id, "package_name": r.package_name,
            "package_title": r.package_title, "owner_org": r.owner_org, "source": r.source,
            "where": r.where, "rule": r.rule, "rule_label": rules.RULES.get(r.rule, r.rule), "masked": r.masked,
            "first_found": r.first_found.isoformat(), "last_found": r.last_found.isoformat(),
            "closed_on": r.closed_on.isoformat() if r.closed_on else None,
            "status": "已整改" if r.closed_on else "未整改",
            "url": tk.url_for("dataset.read", id=r.package_name)}


def select_findings(org_id: str | None, status: str = "open", at: dt.date | None = None) -> list[Any]:
    t = finding.c
    q = sa.select(finding).order_by(t.owner_org, t.package_title, t.first_found, t.where)
    if org_id:
        q = q.where(t.owner_org == org_id)
    if status == "open":
        at = at or dt.date.today()
        q = q.where(t.first_found <= at, sa.or_(t.closed_on.is_(None), t.closed_on > at))
    elif status == "closed":
        q = q.where(t.closed_on.isnot(None))
    return list(model.Session.execute(q).all())


def qingyang_risk_findings(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Findings: `organization` (id or name; a department's members see only their own, the
    platform admin any or all), `status` open (default) / closed / all."""
    org_id = None
    if data_dict.get("organization"):
        org = model.Group.get(str(data_dict["organization"]))
        if org is None or not org.is_organization:
            raise tk.ObjectNotFound(f"部门不存在:{data_dict['organization']}")
        org_id = org.id
    tk.check_access("qingyang_risk_findings", context, {"organization": org_id})
    status = data_dict.get("status") or "open"
    if status not in ("open", "closed", "all"):
        raise tk.ValidationError({"status": ["应为 open、closed 或 all"]})
    return [finding_dict(r) for r in select_findings(org_id, status)]


def qingyang_risk_runs(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """The latest scan runs (default 20): items reported, sources read and left unread as unchanged."""
    tk.check_access("qingyang_risk_report", context, data_dict)
    r = scan_run.c
    limit = min(int(data_dict.get("limit") or 20), 200)
    rows = model.Session.execute(sa.select(scan_run).order_by(r.started.desc()).limit(limit)).mappings()
    return [{**d, "started": d["started"].isoformat(), "updated": d["updated"].isoformat()} for d in map(dict, rows)]


ACTIONS = {
    "qingyang_risk_runs": qingyang_risk_runs,
    "qingyang_risk_report": qingyang_risk_report,
    "qingyang_risk_sources": qingyang_risk_sources,
    "qingyang_risk_findings": qingyang_risk_findings,
}

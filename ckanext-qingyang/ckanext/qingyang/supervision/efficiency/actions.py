"""效能监察's actions: qingyang_cases_load (a batch of 办件 records from the pipeline: checked and
matched with core/cases.py, COPY'd into a staging table, upserted), qingyang_cases_alert (the
cards), qingyang_efficiency_month (a department's monthly statistics, facts.py) and
qingyang_case_track (我要查: an applicant's case by 办件编号 and 查询码)."""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import logging
from typing import Any, Iterable

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang import deadlines
from ckanext.qingyang.core import cases as rules
from ckanext.qingyang.supervision.efficiency import facts
from ckanext.qingyang.supervision.efficiency.model import case_alert, quarantine

log = logging.getLogger(__name__)
LOCAL = facts.LOCAL
KINDS = ("approval_item", "service_item")
IN_FORCE = ("published", "adjusted")
MAX_RECORDS = 20000

COLUMNS = ("case_no", "organization_id", "item_id", "item_title", "item_kind", "applicant_type",
           "accepted_at", "accept_at", "review_at", "decide_at", "deliver_at", "closed_at", "closed_on",
           "status", "online", "days", "accept_days", "review_days", "decide_days", "deliver_days",
           "promised_days", "statutory_days", "due_on", "statutory_due_on", "verdict", "code_hash",
           "record_hash", "demo", "loaded_at", "updated_at")


def local_now() -> dt.datetime:
    return dt.datetime.now(LOCAL).replace(tzinfo=None)


def record_hash(raw: dict) -> str:
    return hashlib.sha256(json.dumps(raw, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()


def code_hash(case_no: str, code: str) -> str | None:
    return hashlib.sha256(f"{case_no}:{code}".encode()).hexdigest() if code else None


def parse_body(fmt: str, body: str) -> list[dict]:
    """JSON lines or CSV (header row of field names, Chinese or English) into records."""
    if fmt == "csv":
        return [dict(r) for r in csv.DictReader(io.StringIO(body.lstrip("\ufeff")))]
    if fmt in ("jsonl", "json"):
        out = []
        for n, line in enumerate(body.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
            except ValueError as e:
                raise tk.ValidationError({"body": [f"第{n}行不是 JSON:{e}"]})
            if not isinstance(rec, dict):
                raise tk.ValidationError({"body": [f"第{n}行不是一个对象"]})
            out.append(rec)
        return out
    raise tk.ValidationError({"format": [f"格式应为 jsonl 或 csv:{fmt}"]})


def _departments(names: Iterable[str]) -> dict[str, model.Group]:
    """Each name a record used (id, name or title) → its organization."""
    names = {n for n in names if n}
    if not names:
        return {}
    G = model.Group
    rows = model.Session.query(G).filter(G.is_organization.is_(True), G.state == "active",
                                          sa.or_(G.id.in_(names), G.name.in_(names), G.title.in_(names)))
    out = {}
    for g in rows:
        for key in (g.id, g.name, g.title):
            if key in names:
                out[key] = g
    return out


def _items(orgs: Iterable[model.Group]) -> list[tuple[str, rules.Item]]:
    """The departments' published approval and service items, matched by 事项编码 (item_code) where
    the item has one, else by title."""
    ids = {g.id for g in orgs}
    if not ids:
        return []
    P = model.Package
    out = []
    for pkg in model.Session.query(P).filter(P.owner_org.in_(ids), P.type.in_(KINDS), P.state == "active",
                                             P.private.is_(False)):
        extras = pkg.extras or {}
        if (extras.get("publish_state") or "published") not in IN_FORCE:
            continue
        promised, statutory = rules.item_limits(pkg.type, extras)
        out.append((pkg.owner_org, rules.Item(pkg.id, pkg.title, pkg.type, promised, statutory,
                                              str(extras.get("item_code") or ""))))
    return out


def qingyang_cases_load(context: dict, data_dict: dict) -> dict[str, Any]:
    """Load 办件 records: `records` (a list of objects), or `body` with `format` jsonl / csv.
    `demo` marks them 示例; `now` (YYYY-MM-DDTHH:MM, local time) is for tests.
    Returns counts (inserted, updated, unchanged, quarantined, unmatched) and the problems."""
    tk.check_access("qingyang_cases_load", context, data_dict)
    records = data_dict.get("records")
    if records is None:
        records = parse_body(str(data_dict.get("format") or "jsonl"), str(data_dict.get("body") or ""))
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise tk.ValidationError({"records": ["应为办件记录的列表"]})
    if len(records) > MAX_RECORDS:
        raise tk.ValidationError({"records": [f"一次最多 {MAX_RECORDS} 条,收到 {len(records)} 条"]})
    now = rules.parse_time(data_dict["now"]) if data_dict.get("now") else local_now()
    demo = tk.asbool(data_dict.get("demo"))

    depts = _departments(str(rules._get(r, "department") or "") for r in records)
    # the core matches by the department's name as the record gave it: index each item under every name
    by_org: dict[str, list[rules.Item]] = {}
    for org_id, item in _items(set(depts.values())):
        by_org.setdefault(org_id, []).append(item)
    index = rules.Items((key, item) for key, g in depts.items() for item in by_org.get(g.id, []))
    batch = rules.check_batch(records, index, now)

    cal, today = deadlines.calendar(), now.date()
    rows = []
    for c in batch.cases:
        t = rules.timing(c, c.item, cal, today)
        rows.append({
            "case_no": c.case_no, "organization_id": depts[c.department].id, "item_id": c.item.id,
            "item_title": c.item.title, "item_kind": c.item.kind, "applicant_type": c.applicant_type,
            "accepted_at": c.accepted_at, **{key: c.steps.get(step) for step, key in rules.STEP_KEYS.items()},
            "closed_at": c.closed_at if c.status != rules.OPEN else None,
            "closed_on": c.closed_at.date() if c.closed_at and c.status != rules.OPEN else None,
            "status": c.status, "online": c.online, "days": t.days if t.verdict else None,
            "accept_days": t.step_days.get("受理"), "review_days": t.step_days.get("审查"),
            "decide_days": t.step_days.get("决定"), "deliver_days": t.step_days.get("送达"),
            "promised_days": c.item.promised_days, "statutory_days": c.item.statutory_days,
            "due_on": t.due, "statutory_due_on": t.statutory_due, "verdict": t.verdict,
            "code_hash": code_hash(c.case_no, c.verification_code),
            "record_hash": _case_hash(c), "demo": demo, "loaded_at": now, "updated_at": now})
    counts = _upsert(rows)
    new_unmatched = _quarantine(batch, depts, now)
    _resolve([r["case_no"] for r in rows], now)
    model.Session.commit()
    _notify_unmatched(new_unmatched)
    problems = [p.message() for _, ps in batch.quarantined for p in ps]
    log.info("cases load: %d records, %s, %d quarantined", len(records), counts, len(batch.quarantined))
    return {**counts, "records": len(records), "quarantined": len(batch.quarantined),
            "unmatched": len(batch.unmatched()), "problems": problems[:200]}


def _case_hash(c: rules.Case) -> str:
    """What a case is, as stored: the same record sent again hashes the same."""
    return hashlib.sha256(json.dumps([
        c.case_no, c.department, c.item.id, c.applicant_type, str(c.accepted_at),
        sorted((k, str(v)) for k, v in c.steps.items()), str(c.closed_at), c.status, c.online,
        c.verification_code, c.item.promised_days, c.item.statutory_days], ensure_ascii=False).encode()).hexdigest()


def _csv_value(v) -> str:
    if v is None:
        return r"\N"
    if isinstance(v, bool):
        return "t" if v else "f"
    return str(v)


def _upsert(rows: list[dict]) -> dict[str, int]:
    if not rows:
        return {"inserted": 0, "updated": 0, "unchanged": 0}
    conn = model.Session.connection()
    conn.execute(sa.text("CREATE TEMP TABLE IF NOT EXISTS qingyang_case_stage "
                         "(LIKE qingyang_case INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"))
    conn.execute(sa.text("TRUNCATE qingyang_case_stage"))
    buf = io.StringIO()
    writer = csv.writer(buf)
    for r in rows:
        writer.writerow([_csv_value(r[c]) for c in COLUMNS])
    buf.seek(0)
    cursor = conn.connection.cursor()
    cursor.copy_expert(f"COPY qingyang_case_stage ({', '.join(COLUMNS)}) FROM STDIN WITH (FORMAT csv, NULL '\\N')",
                       buf)
    keep = {"case_no", "loaded_at"}
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS if c not in keep)
    # a later state updates; an older open state never reopens a closed case
    result = conn.execute(sa.text(
        f"INSERT INTO qingyang_case ({', '.join(COLUMNS)}) SELECT {', '.join(COLUMNS)} FROM qingyang_case_stage "
        f"ON CONFLICT (case_no) DO UPDATE SET {sets} "
        f"WHERE qingyang_case.record_hash <> EXCLUDED.record_hash "
        f"AND NOT (qingyang_case.closed_at IS NOT NULL AND EXCLUDED.closed_at IS NULL) "
        f"RETURNING (xmax = 0) AS inserted"))
    flags = [bool(r[0]) for r in result]
    inserted = sum(flags)
    return {"inserted": inserted, "updated": len(flags) - inserted, "unchanged": len(rows) - len(flags)}


def _quarantine(batch: rules.Batch, depts: dict[str, model.Group], now: dt.datetime) -> dict[str, int]:
    """Store the quarantined records (each problem once); the newly unmatched per department."""
    rows = []
    for raw, problems in batch.quarantined:
        dept = str(rules._get(raw, "department") or "")
        org = depts.get(dept)
        h = record_hash(raw)
        for p in problems:
            rows.append({"organization_id": org.id if org else None, "department": dept,
                         "case_no": str(rules._get(raw, "case_no") or ""),
                         "record": json.dumps(raw, ensure_ascii=False, default=str), "record_hash": h,
                         "field": p.field, "kind": p.kind, "reason": p.message(), "first_seen": now,
                         "last_seen": now})
    new: dict[str, int] = {}
    if not rows:
        return new
    from sqlalchemy.dialects.postgresql import insert

    stmt = insert(quarantine).values(rows)
    stmt = stmt.on_conflict_do_update(constraint="qingyang_case_quarantine_once",
                                      set_={"last_seen": stmt.excluded.last_seen}).returning(
        quarantine.c.organization_id, quarantine.c.kind, sa.literal_column("(xmax = 0)"))
    for org_id, kind, inserted in model.Session.execute(stmt):
        if inserted and kind == "unknown_item" and org_id:
            new[org_id] = new.get(org_id, 0) + 1
    return new


def _resolve(case_nos: list[str], now: dt.datetime) -> None:
    if case_nos:
        model.Session.execute(quarantine.update().where(quarantine.c.case_no.in_(case_nos),
                                                        quarantine.c.resolved_at.is_(None),
                                                        quarantine.c.kind != "duplicate")
                              .values(resolved_at=now))


def _notify_unmatched(new: dict[str, int]) -> None:
    from ckanext.qingyang.sharing import notices

    admins = facts.platform_admin_ids()
    for org_id, n in new.items():
        org = model.Group.get(org_id)
        notices.notify(notices.org_editors(org_id) + admins, f"办件未匹配到已发布事项:{org.title}",
                       f"{org.title} 有 {n} 条办件记录的事项与已发布的行政审批事项或公共服务事项不符,"
                       f"未计入效能监察,请核对事项名称或补充发布事项。",
                       facts.page_url(org_id) + "#quarantine")


def qingyang_efficiency_month(context: dict, data_dict: dict) -> dict[str, Any]:
    """facts.department_month for `organization` (id or name) and `month` (YYYY-MM)."""
    org = model.Group.get(str(data_dict.get("organization") or ""))
    if org is None:
        raise tk.ObjectNotFound("没有这个部门")
    tk.check_access("qingyang_efficiency_month", context, {"organization": org.id})
    month = str(data_dict.get("month") or "")
    try:
        facts.month_range(month)
    except ValueError:
        raise tk.ValidationError({"month": [f"月份应为 YYYY-MM:{month}"]})
    return facts.department_month(org.id, month)


def qingyang_cases_alert(context: dict, data_dict: dict) -> dict[str, Any]:
    """New 黄牌 and 红牌 of open cases (each card once per case) to the department's admins and
    editors and to the platform admin: one notice per department and run, in the app and by
    mail (ckanext.qingyang.efficiency.mail)."""
    tk.check_access("qingyang_cases_load", context, data_dict)
    from sqlalchemy.dialects.postgresql import insert

    from ckanext.qingyang.sharing import notices

    now = local_now()
    cards = facts.open_cards(None, limit=100_000)
    new: dict[str, list[dict]] = {}
    for chunk in range(0, len(cards), 5000):
        part = cards[chunk:chunk + 5000]
        stmt = insert(case_alert).values([{"case_no": c["case_no"], "card": c["card"],
                                           "organization_id": c["organization_id"], "at": now} for c in part])
        stmt = stmt.on_conflict_do_nothing().returning(case_alert.c.case_no, case_alert.c.card)
        made = {(no, card) for no, card in model.Session.execute(stmt)}
        for c in part:
            if (c["case_no"], c["card"]) in made:
                new.setdefault(c["organization_id"], []).append(c)
    model.Session.commit()
    admins = facts.platform_admin_ids()
    for org_id, got in new.items():
        org = model.Group.get(org_id)
        red = [c for c in got if c["card"] == rules.RED]
        yellow = [c for c in got if c["card"] == rules.YELLOW]
        lines = [f"{c['card']} {c['case_no']} {c['item_title']}(承诺期限 {c['due_on']})" for c in got[:30]]
        more = f"\n……共 {len(got)} 件" if len(got) > 30 else ""
        notices.notify(notices.org_editors(org_id) + admins,
                       f"效能监察亮牌:{org.title if org else org_id} 红牌 {len(red)} 件、黄牌 {len(yellow)} 件",
                       "以下在办件已逾期(红牌)或剩余不足一个工作日(黄牌),请尽快办结:\n" + "\n".join(lines) + more,
                       facts.page_url(org_id) + "#red-cards",
                       mail=tk.asbool(tk.config.get("ckanext.qingyang.efficiency.mail")))
    return {"red": sum(c["card"] == rules.RED for g in new.values() for c in g),
            "yellow": sum(c["card"] == rules.YELLOW for g in new.values() for c in g), "departments": len(new)}


CASE_NOT_FOUND = "办件编号或查询码有误,请核对后再查"


@tk.side_effect_free
def qingyang_case_track(context: dict, data_dict: dict) -> dict[str, Any]:
    """我要查: an applicant's case progress by `case_no` (办件编号) and `code` (the 查询码 the
    window gave). An unknown number and a wrong code answer alike, and lookups count against
    the boards' per-address lookup limit, so codes cannot be enumerated. Nothing about the
    applicant is returned."""
    tk.check_access("qingyang_case_track", context, data_dict)
    from ckanext.qingyang.boards import limits

    case_no = str(data_dict.get("case_no") or "").strip()
    code = str(data_dict.get("code") or "").strip()
    if not case_no or not code:
        raise tk.ValidationError({"case_no" if not case_no else "code": ["请填写办件编号和查询码"]})
    try:
        limits.hit_lookup(limits.client_address())
    except limits.Limited as e:
        raise tk.ValidationError({"lookup": [str(e)]})
    from ckanext.qingyang.supervision.efficiency.model import case

    row = model.Session.execute(sa.select(case).where(case.c.case_no == case_no)).mappings().first()
    if row is None or not row["code_hash"] or row["code_hash"] != code_hash(case_no, code):
        raise tk.ObjectNotFound(CASE_NOT_FOUND)
    return facts.case_progress(dict(row))

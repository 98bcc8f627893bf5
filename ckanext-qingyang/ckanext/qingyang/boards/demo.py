"""Demo messages (示例) in every state of a message's life, from catalogs/demo/messages.yaml.

Each demo message replays its life on past working days (so deadlines, late ones, the ladder
and 督办单 look as they would), written straight to the tables with the same rules
(core/boards.py) the actions use. Flagged demo, titles start with 【示例】. Idempotent: the
message ids derive from the seed and the index, and a rerun adds only what is missing.
"""
from __future__ import annotations

import datetime as dt
import random
import uuid
from pathlib import Path
from typing import Any

import ckan.model as model
import sqlalchemy as sa
import yaml
from sqlalchemy.dialects import postgresql

from ckanext.qingyang import deadlines
from ckanext.qingyang.boards import messages
from ckanext.qingyang.boards.model import ladder_step, message, message_history, message_seq, supervision
from ckanext.qingyang.core import boards as rules

NAMESPACE = uuid.UUID("6f1d2c1e-5b0a-4c55-9a55-0b7a5ad3e915")

# scenario -> weight; each a path through the state machine (see _replay)
SCENARIOS = {
    "pending": 3, "pending_late": 1, "rejected": 2, "centre": 1, "dispatched": 4, "overdue": 2,
    "supervised": 2, "transferred": 2, "extension_requested": 1, "extended": 2, "answered": 4,
    "satisfied": 6, "basically": 3, "auto_closed": 3, "reopened": 1, "closed_twice": 1, "late_answer": 2,
}


def _catalog(catalogs_dir: str | Path) -> dict[str, Any]:
    return yaml.safe_load((Path(catalogs_dir) / "demo" / "messages.yaml").read_text(encoding="utf-8"))


def _jurisdictions() -> list[tuple[model.Group, list[model.Group]]]:
    """(centre, departments of its government) for every jurisdiction with a centre."""
    out = []
    orgs = model.Session.query(model.Group).filter(model.Group.is_organization.is_(True),
                                                   model.Group.state == "active").all()
    for centre in (g for g in orgs if messages.is_centre(g)):
        parents = centre.get_parent_groups(type="organization")
        depts = [c for c in parents[0].get_children_groups(type="organization")
                 if (c.extras or {}).get("kind") == "department"] if parents else []
        out.append((centre, depts))
    return sorted(out, key=lambda p: ((p[0].extras or {}).get("region_code") or "", p[0].name))


def load(size: int = 300, seed: int = 15, catalogs_dir: str | None = None, today: dt.date | None = None) -> dict[str, int]:
    """Insert the demo messages that are missing; {"created": n, "kept": m}."""
    from ckan.plugins import toolkit as tk

    cat = _catalog(catalogs_dir or tk.config.get("ckanext.qingyang.catalogs_dir"))
    places = _jurisdictions()
    if not places:
        return {"created": 0, "kept": 0}
    ids = [str(uuid.uuid5(NAMESPACE, f"{seed}:{i}")) for i in range(size)]
    have = {r for (r,) in model.Session.execute(sa.select(message.c.id).where(message.c.id.in_(ids)))}
    r, cal = messages.board_rules(), deadlines.calendar()
    today = today or messages.today()
    plan = [s for s, w in SCENARIOS.items() for _ in range(w)]
    created = 0
    for i, msg_id in enumerate(ids):
        if msg_id in have:
            continue
        rng = random.Random(f"{seed}:{i}")
        # the city gets half the messages, the counties share the rest
        centre, depts = places[0] if (i % 2 == 0 and _is_city(places[0][0])) else rng.choice(places)
        tpl = rng.choice(cat["templates"])
        dept = next((d for d in depts if tpl["dept"] in (d.title or "")), None) or (rng.choice(depts) if depts else centre)
        other = rng.choice([d for d in depts if d.id != dept.id] or [dept])
        _replay(msg_id, plan[i % len(plan)], tpl, cat, centre, dept, other, rng, r, cal, today)
        created += 1
        if created % 50 == 0:
            model.Session.commit()
    model.Session.commit()
    return {"created": created, "kept": len(have)}


def _is_city(g: model.Group) -> bool:
    return (g.extras or {}).get("jurisdiction_level") == "city"


def _replay(msg_id: str, scenario: str, tpl: dict, cat: dict, centre: model.Group, dept: model.Group,
            other: model.Group, rng: random.Random, r: rules.Rules, cal: deadlines.Calendar, today: dt.date) -> None:
    kind = r.kinds[tpl["kind"]]
    ages = {"pending": 0, "pending_late": 3, "centre": 1, "dispatched": 2, "transferred": 3,
            "extension_requested": 3, "extended": 5, "answered": 4, "reopened": 6,
            "overdue": kind.days + 3, "supervised": kind.days + 7, "late_answer": kind.days + 8,
            "satisfied": 12 + rng.randint(0, 40), "basically": 14 + rng.randint(0, 40),
            "auto_closed": 14 + rng.randint(0, 30), "closed_twice": 18 + rng.randint(0, 20), "rejected": 4}
    age = ages[scenario]
    start = today
    for _ in range(age):             # back `age` working days
        start -= dt.timedelta(days=1)
        while not cal.is_working_day(start):
            start -= dt.timedelta(days=1)

    def day(n: int) -> dt.date:
        return cal.due_on(start, n) if n else start

    def at(d: dt.date) -> dt.datetime:
        return dt.datetime.combine(d, dt.time(8 + rng.randint(0, 9), rng.randint(0, 59), rng.randint(0, 59)))

    unknown = scenario == "centre"
    name = rng.choice(cat["askers"])
    created = at(start)
    seq = model.Session.execute(sa.select(message_seq.next_value())).scalar()
    row: dict[str, Any] = dict(
        id=msg_id, code=rules.make_code(created.year, seq), seq=seq, kind=kind.key, organization_id=centre.id,
        addressed_org=None if unknown else dept.id, centre_id=centre.id,
        jurisdiction=str((centre.extras or {}).get("region_code") or ""), handlers="",
        title=messages.DEMO_PREFIX + tpl["title"], content=tpl["content"], name=name,
        anonymous=rng.random() < 0.2, phone=f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}",
        publish_consent=rng.random() < 0.8, status="pending", created=created, created_by=None,
        deadline=rules.accept_days_due(r, cal, start), demo=True, updated=created, round=1, transfers_used=0,
        published=False, started_on=None)
    history: list[dict] = [dict(step="create", at=created, to_status="pending", note=f"留言类型:{kind.label}")]
    sups: list[dict] = []
    ladder: list[tuple[str, dt.date]] = []

    def step(name_: str, when: dt.datetime, to: str | None = None, org: model.Group | None = None,
             target: model.Group | None = None, note: str | None = None, **values: Any) -> None:
        history.append(dict(step=name_, at=when, from_status=row["status"], to_status=to or row["status"],
                            organization_id=org.id if org else None, target_org=target.id if target else None,
                            user_name=f"{org.title}工作人员(示例)" if org else None, note=note))
        row.update(values, status=to or row["status"], updated=when)

    def accept(n: int, to: model.Group | None) -> None:
        d = day(n)
        step("accept", at(d), "processing", centre, accepted_at=at(d), started_on=d,
             deadline=rules.answer_due(r, cal, kind.key, d))
        if to is not None:
            step("dispatch", at(d), "dispatched", centre, to, "受理后转办", organization_id=to.id,
                 handlers=" ".join(filter(None, [row["handlers"], to.id])))

    def reply(n: int, second: bool = False) -> None:
        d = day(n)
        handler = model.Group.get(row["organization_id"])
        p = "reply2" if second else "reply"
        values = {f"{p}_text": tpl["reply"], f"{p}_at": at(d), f"{p}_org": handler.id, f"{p}_user": f"{handler.title}工作人员"}
        if not second:
            values.update(reply_days=cal.between(row["started_on"], d), reply_on_time=d <= row["deadline"])
        step("reply", at(d), "answered", handler, note=tpl["reply"][:200], **values)

    def rate(n: int, rating: str) -> None:
        d = day(n)
        first = {"first_rating": rating} if row["round"] == 1 else {}
        step("rate", at(d), "answered", None, note=rules.RATINGS[rating], rating=rating, rated_at=at(d), **first)
        if rating == "unsatisfied" and row["round"] == 1:
            step("reopen", at(d), "processing", model.Group.get(row["organization_id"]), note="留言人不满意,重新办理",
                 round=2, started_on=d, deadline=rules.answer_due(r, cal, kind.key, d))
        else:
            step("close", at(d), "closed", None, note="已评价", closed_at=at(d))

    def publish(n: int) -> None:
        if row["publish_consent"]:
            step("publish", at(day(n)), None, centre, published=True, published_at=at(day(n)))

    def late_steps() -> None:
        dl = row["deadline"]
        for s, when in (("remind", cal.due_on(dl, 0) - dt.timedelta(days=1)), ("overdue", dl + dt.timedelta(days=1)),
                        ("escalate", cal.due_on(dl, r.escalate_days_late)), ("report", cal.due_on(dl, r.report_days_late))):
            if when <= today and (s != "report" or rules.days_late(cal, dl, today) >= r.report_days_late):
                ladder.append((s, when))
                step(s, at(when), None, None, note=f"期限 {dl}")

    if scenario == "pending_late":
        ladder.append(("overdue", row["deadline"] + dt.timedelta(days=1)))
        step("overdue", at(row["deadline"] + dt.timedelta(days=1)), None, None, note=f"期限 {row['deadline']}")
    elif scenario == "rejected":
        reason = rng.choice(list(r.reject_reasons))
        step("reject", at(day(1)), "rejected", centre, note=r.reject_reasons[reason], reject_reason=reason,
             closed_at=at(day(1)))
    elif scenario == "centre":
        accept(1, None)
    elif scenario != "pending":
        accept(1, dept)
        if scenario == "transferred":
            step("transfer", at(day(2)), "dispatched", dept, other, "不属本单位职责,转相关部门", organization_id=other.id,
                 handlers=f"{dept.id} {other.id}", transfers_used=1)
        elif scenario in ("extension_requested", "extended"):
            step("extend", at(day(2)), "extension_requested", dept, note="需现场核查,申请延期",
                 extension_reason="需现场核查,申请延期", extension_at=at(day(2)), extension_by="demo")
            if scenario == "extended":
                step("extension_approved", at(day(3)), "processing", centre, extension_decision="approved",
                     extension_decided_at=at(day(3)), extension_old_deadline=row["deadline"],
                     deadline=rules.extended_due(r, cal, kind.key, row["deadline"]))
        elif scenario in ("overdue", "supervised"):
            late_steps()
            if scenario == "supervised":
                when = cal.due_on(row["deadline"], 2)
                due = cal.due_on(when, 3)
                sups.append(dict(id=str(uuid.uuid5(NAMESPACE, msg_id + ":sup")), message_id=msg_id,
                                 organization_id=dept.id, centre_id=centre.id, issued_at=at(when), issued_by="demo",
                                 issued_by_name=f"{centre.title}工作人员(示例)", reply_due=due, deadline=row["deadline"],
                                 days_late=rules.days_late(cal, row["deadline"], when), note="请抓紧办理并按期答复"))
                step("supervise", at(when), None, centre, dept, f"要求 {due} 前答复:请抓紧办理并按期答复")
        elif scenario == "late_answer":
            late_steps()
            reply(kind.days + 4)
            rate(kind.days + 6, "basically")
        elif scenario in ("answered", "satisfied", "basically", "auto_closed", "reopened", "closed_twice"):
            reply(3)
            if scenario == "satisfied":
                rate(4, "satisfied")
                publish(5)
            elif scenario == "basically":
                rate(5, "basically")
                publish(6)
            elif scenario == "auto_closed":
                close_on = cal.due_on(rules.close_due(r, cal, day(3)), 1)
                ladder.append(("close", close_on))
                step("close", at(close_on), "closed", None, note="答复后 5 个工作日未评价,自动办结", closed_at=at(close_on))
                publish(10)
            elif scenario in ("reopened", "closed_twice"):
                rate(4, "unsatisfied")
                if scenario == "closed_twice":
                    reply(7, second=True)
                    rate(8, "unsatisfied")
                    publish(9)

    model.Session.execute(message.insert().values(**row))
    base = dict(from_status=None, to_status=None, organization_id=None, target_org=None, user_id=None,
                user_name=None, note=None)
    model.Session.execute(message_history.insert(), [dict(base, message_id=msg_id, **h) for h in history])
    if sups:
        model.Session.execute(supervision.insert(), sups)
    for s, when in ladder:
        model.Session.execute(postgresql.insert(ladder_step).values(
            message_id=msg_id, step=rules.step_key(s, row["round"] if s == "close" else 1), at=at(when),
            organization_id=row["organization_id"], days_late=rules.days_late(cal, row["deadline"], when))
            .on_conflict_do_nothing())

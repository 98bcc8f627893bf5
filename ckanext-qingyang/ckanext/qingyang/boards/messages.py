"""Messages in the database: who stands where to a message, the jurisdiction's 政务服务中心,
the history rows, and the message dict every caller sees (masked by who asks).

Who sees what (checked like the sharing rules: by the caller's own memberships, never by
sysadmin powers leaking into department rights):
- anyone holding the 查询码: the message, its public timeline and reply, phone masked;
- anyone: published messages (masked name and phone, no code);
- a department (any member): the messages it handles now and those once sent to it;
  its editors and admins take the handler's steps while it is the handler;
- the jurisdiction's 政务服务中心: every message of its jurisdiction; its editors and admins
  accept, reject, dispatch, decide extensions, approve publication and issue 督办单;
- the platform admin (sysadmins, members of the platform_admin department): all messages.
- The unmasked phone and name go to members of the handling department only (the centre
  while it holds a message). Not to the platform admin: running the platform is not
  handling the case, and the asker gave the number to whoever answers.
"""
from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang import deadlines
from ckanext.qingyang.boards import files
from ckanext.qingyang.boards.model import message, message_history, supervision
from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.core import boards as rules
from ckanext.qingyang.sharing import access

SERVICE_CENTER = "service_center"
ACTING = ("admin", "editor")
# steps the asker and the public do not see in the timeline (internal to the government)
INTERNAL_STEPS = ("remind", "overdue", "escalate", "report", "supervise", "publish", "unpublish")
DEMO_PREFIX = "【示例】"


@functools.lru_cache(maxsize=4)
def _rules(catalogs_dir: str) -> rules.Rules:
    return rules.load(catalogs_dir)


def board_rules() -> rules.Rules:
    return _rules(tk.config.get("ckanext.qingyang.catalogs_dir"))


def today() -> dt.date:
    return dt.date.today()


def now() -> dt.datetime:
    return dt.datetime.utcnow()


# ---------------------------------------------------------------- organizations
def org(ref: str | None) -> model.Group | None:
    if not ref:
        return None
    g = model.Group.get(ref)
    return g if g is not None and g.is_organization and g.state == "active" else None


def is_centre(g: model.Group) -> bool:
    return SERVICE_CENTER in jurisdiction.roles(g)


_CENTRES: dict[str, tuple[float, str | None]] = {}
CENTRE_CACHE_SECONDS = 60   # the tree changes rarely; a message finds its centre without a walk


def centre_for_org(g: model.Group) -> model.Group | None:
    """The 政务服务中心 of the nearest government up the tree that has one (kept a minute)."""
    hit = _CENTRES.get(g.id)
    if hit and hit[0] > time.monotonic():
        centre = model.Group.get(hit[1]) if hit[1] else None
        if centre is not None and centre.state == "active":
            return centre
    centre = _walk_to_centre(g)
    _CENTRES[g.id] = (time.monotonic() + CENTRE_CACHE_SECONDS, centre.id if centre else None)
    return centre


def _walk_to_centre(g: model.Group) -> model.Group | None:
    if is_centre(g):
        return g
    chain = jurisdiction.ancestry(g)
    for gov in reversed([c for c in chain if (c.extras or {}).get("kind") == "government"]):
        centre = next((c for c in gov.get_children_groups(type="organization") if is_centre(c)), None)
        if centre is not None:
            return centre
    return None


def centre_for_jurisdiction(ref: str | None) -> model.Group | None:
    """The centre for a jurisdiction given by region code (621002), place (西峰区) or its
    government's name; none given: the city's."""
    ref = (ref or "").strip()
    centres = [g for g in model.Session.query(model.Group).filter(
        model.Group.is_organization.is_(True), model.Group.state == "active") if is_centre(g)]
    if not ref:
        city = [c for c in centres if (c.extras or {}).get("jurisdiction_level") == "city"]
        return city[0] if city else (centres[0] if len(centres) == 1 else None)
    for c in centres:
        extras = c.extras or {}
        if ref in (extras.get("region_code"), extras.get("jurisdiction"), c.name, c.id):
            return c
        parents = c.get_parent_groups(type="organization")
        if parents and ref in (parents[0].name, parents[0].id):
            return c
    return None


def org_brief(org_id: str | None) -> dict | None:
    g = model.Group.get(org_id) if org_id else None
    if g is None:
        return None
    return {"id": g.id, "name": g.name, "title": g.title or g.name}


# ---------------------------------------------------------------- who the caller is
@dataclass
class Caller:
    user: model.User | None
    capacities: dict[str, str]      # org id -> own capacity (direct membership only)
    _platform_admin: bool | None = None

    @property
    def platform_admin(self) -> bool:
        """Sysadmins and members of the department with the platform_admin duty (asked once)."""
        if self._platform_admin is None:
            self._platform_admin = bool(self.user is not None and (
                self.user.sysadmin or any("platform_admin" in jurisdiction.roles(g) for g in _groups(self.capacities))))
        return self._platform_admin

    def member(self, org_id: str | None) -> bool:
        return bool(org_id) and org_id in self.capacities

    def acts_for(self, org_id: str | None) -> bool:
        return self.capacities.get(org_id or "") in ACTING

    @property
    def staff(self) -> bool:
        return bool(self.capacities) or self.platform_admin

    def centres(self) -> list[str]:
        return [g.id for g in _groups(self.capacities) if is_centre(g)]


def _groups(capacities: dict[str, str]) -> list[model.Group]:
    if not capacities:
        return []
    return model.Session.query(model.Group).filter(model.Group.id.in_(list(capacities))).all()


def caller(context: dict) -> Caller:
    user = access.context_user(context)
    if user is None:
        return Caller(None, {}, False)
    m = model.Member
    rows = model.Session.query(m.group_id, m.capacity).filter(
        m.table_name == "user", m.table_id == user.id, m.state == "active")
    return Caller(user, {g: c for g, c in rows})


def relation(msg: dict, who: Caller) -> set[str]:
    """How the caller stands to the message: admin, centre, handler, former (once sent to)."""
    out = set()
    if who.platform_admin:
        out.add("admin")
    if who.member(msg["centre_id"]):
        out.add("centre")
    if who.member(msg["organization_id"]):
        out.add("handler")
    if any(who.member(o) for o in (msg["handlers"] or "").split()):
        out.add("former")
    return out


def may_read(msg: dict, user: Any = None, code: str | None = None) -> bool:
    if code and rules.normalize_code(code) == msg["code"]:
        return True
    if msg["published"]:
        return True
    who = caller({"auth_user_obj": user}) if user is not None else Caller(None, {}, False)
    return bool(relation(msg, who))


# ---------------------------------------------------------------- rows
def get(message_id: str | None, lock: bool = False) -> dict | None:
    if not message_id:
        return None
    q = sa.select(message).where(message.c.id == str(message_id))
    if lock:
        q = q.with_for_update()
    row = model.Session.execute(q).mappings().first()
    return dict(row) if row else None


def by_code(code: str | None) -> dict | None:
    code = rules.normalize_code(code)
    if code is None:
        return None
    row = model.Session.execute(sa.select(message).where(message.c.code == code)).mappings().first()
    return dict(row) if row else None


def update(message_id: str, **values: Any) -> None:
    model.Session.execute(message.update().where(message.c.id == message_id).values(updated=now(), **values))


def add_history(message_id: str, step: str, *, from_status: str | None = None, to_status: str | None = None,
                user: model.User | None = None, organization_id: str | None = None, target_org: str | None = None,
                note: str | None = None, at: dt.datetime | None = None) -> None:
    model.Session.execute(message_history.insert().values(
        message_id=message_id, at=at or now(), step=step, from_status=from_status, to_status=to_status,
        user_id=user.id if user else None, user_name=(user.fullname or user.name) if user else None,
        organization_id=organization_id, target_org=target_org, note=note))


def history(message_id: str) -> list[dict]:
    t = message_history.c
    return [dict(r) for r in model.Session.execute(
        sa.select(message_history).where(t.message_id == message_id).order_by(t.at, t.id)).mappings()]


def supervisions(message_id: str) -> list[dict]:
    t = supervision.c
    return [dict(r) for r in model.Session.execute(
        sa.select(supervision).where(t.message_id == message_id).order_by(t.issued_at)).mappings()]


# ---------------------------------------------------------------- the message dict
def _iso(v: Any) -> str | None:
    return v.isoformat() if v is not None else None


def to_dict(msg: dict, who: Caller | None = None, *, with_code: bool = False, public: bool = False,
            full: bool = True, known_history: list[dict] | None = None,
            known_attachments: list[dict] | None = None) -> dict:
    """The message as the caller may see it (the contract in core/boards.py's docstring).
    full=False (lists): no timeline, attachments or supervisions."""
    r = board_rules()
    cal = deadlines.calendar()
    rel = relation(msg, who) if who is not None and not public else set()
    staff = bool(rel)
    handler = "handler" in rel
    kind = r.kinds.get(msg["kind"])
    deadline = msg["deadline"]
    clocked = msg["status"] in rules.CLOCKED and deadline is not None
    days_left = cal.days_left(deadline, today()) if clocked else None
    org_titles: dict[str, dict | None] = {}

    def brief(org_id):
        if org_id not in org_titles:
            org_titles[org_id] = org_brief(org_id)
        return org_titles[org_id]

    def reply(prefix):
        if not msg[f"{prefix}_text"]:
            return None
        out = {"text": msg[f"{prefix}_text"], "at": _iso(msg[f"{prefix}_at"]),
               "organization": brief(msg[f"{prefix}_org"])}
        if staff:
            out["user"] = msg[f"{prefix}_user"]
        return out

    timeline = []
    for h in (known_history if known_history is not None else history(msg["id"])) if full else ():
        if not staff and h["step"] in INTERNAL_STEPS:
            continue
        org_b = brief(h["organization_id"]) if h["organization_id"] else None
        item = {"at": _iso(h["at"]), "step": h["step"], "step_label": rules.STEP_LABELS.get(h["step"], h["step"]),
                "actor": (h["user_name"] if staff else None) or (org_b["title"] if org_b else
                                                                  ("留言人" if h["step"] in ("create", "rate") else "系统")),
                "organization": org_b, "target": brief(h["target_org"]) if h["target_org"] else None,
                "note": h["note"], "status": h["to_status"]}
        timeline.append(item)

    ext = None
    if msg["extension_reason"]:
        ext = {"reason": msg["extension_reason"], "requested_at": _iso(msg["extension_at"]),
               "decision": msg["extension_decision"],
               "decision_label": {"approved": "同意延期", "refused": "不同意延期"}.get(msg["extension_decision"] or ""),
               "decided_at": _iso(msg["extension_decided_at"]), "decision_reason": msg["extension_decision_reason"],
               "old_deadline": _iso(msg["extension_old_deadline"])}

    out = {
        "id": msg["id"],
        "kind": msg["kind"],
        "kind_label": kind.label if kind else msg["kind"],
        "organization": brief(msg["organization_id"]),
        "addressed_organization": brief(msg["addressed_org"]) if msg["addressed_org"] else None,
        "centre": brief(msg["centre_id"]),
        "jurisdiction": msg["jurisdiction"],
        "title": msg["title"],
        "content": msg["content"],
        "display_name": rules.display_name(msg["name"], msg["anonymous"]),
        "anonymous": msg["anonymous"],
        "phone": msg["phone"] if handler else rules.mask_phone(msg["phone"]),
        "publish_consent": msg["publish_consent"],
        "status": msg["status"],
        "status_label": rules.STATUS_LABELS.get(msg["status"], msg["status"]),
        "created": _iso(msg["created"]),
        "deadline": _iso(deadline) if clocked or staff else None,
        "days_left": days_left,
        "overdue": bool(clocked and rules.days_late(cal, deadline, today()) > 0),
        "round": msg["round"],
        "reply": reply("reply"),
        "second_reply": reply("reply2"),
        "rating": msg["rating"],
        "rating_label": rules.RATINGS.get(msg["rating"] or ""),
        "first_rating": msg["first_rating"],
        "attachments": (known_attachments if known_attachments is not None else files.for_message(msg["id"]))
        if full else [],
        "transfers_left": max(0, 1 - (msg["transfers_used"] or 0)),
        "extension": ext,
        "reject_reason": msg["reject_reason"],
        "reject_reason_label": r.reject_reasons.get(msg["reject_reason"] or ""),
        "published": msg["published"],
        "demo": msg["demo"],
        "timeline": timeline,
        "closed_at": _iso(msg["closed_at"]),
    }
    if handler:
        out["name"] = msg["name"]
    if with_code:
        out["code"] = msg["code"]
    if staff:
        out["supervisions"] = [{"id": s["id"], "issued_at": _iso(s["issued_at"]), "issued_by": s["issued_by_name"],
                                "reply_due": _iso(s["reply_due"]), "days_late": s["days_late"], "note": s["note"],
                                "organization": brief(s["organization_id"])} for s in (supervisions(msg["id"]) if full else ())]
        out["relation"] = sorted(rel)
        out["can"] = sorted(allowed_steps(msg, who))
    else:
        out["supervisions"] = []
    return out


def allowed_steps(msg: dict, who: Caller) -> set[str]:
    """Steps the caller may take now (for the pages' buttons); the actions check again."""
    out = set()
    status = msg["status"]
    centre = who.acts_for(msg["centre_id"])
    handler = who.acts_for(msg["organization_id"])
    for step, (allowed, _) in rules.TRANSITIONS.items():
        if status not in allowed:
            continue
        actor = rules.STEP_ACTORS.get(step)
        if actor == "centre" and centre:
            out.add(step)
        elif actor == "handler" and handler:
            if step == "transfer" and (msg["transfers_used"] or 0) >= 1 and not centre:
                continue
            if step == "extend" and msg["extension_reason"]:
                continue
            out.add(step)
    if "dispatch" in out:
        out.add("transfer")
    if not msg["publish_consent"]:
        out -= {"publish", "unpublish"}
    return out

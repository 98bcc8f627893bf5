"""List timeliness (第二十三、二十四条): the facts the daily rating needs, and the ratings.

Ratings (core/timeliness.py) are computed by the qingyang_timeliness DAG and stored back here, in
CKAN's task_status table (entity = organization, task_type qingyang_timeliness,
key = list type), so department pages and the 督查 list can show them.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from sqlalchemy import func

from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.timeliness import LATE

TASK_TYPE = "qingyang_timeliness"


def list_facts() -> list[dict[str, Any]]:
    """Per department and list type: current published items and the newest 最后确认日期.

    Drafts and revisions waiting for review do not count: a list is up to date when
    its update is published.
    """
    pkg = model.Package
    confirmed = pkg.extras["confirmed_date"].astext
    status = func.coalesce(pkg.extras["list_status"].astext, "current")
    rows = model.Session.query(model.Group.name, pkg.type, func.count(pkg.id), func.max(confirmed)).join(
        model.Group, model.Group.id == pkg.owner_org).filter(
        pkg.state == "active", pkg.private.is_(False), pkg.type.in_(listdef.TYPE_NAMES),
        status == "current").group_by(
        model.Group.name, pkg.type).all()
    return [{"organization": org, "type_name": t, "items": n, "last_confirmed": newest}
            for org, t, n, newest in rows]


def store(context: dict, ratings: list[dict[str, Any]]) -> int:
    now = dt.datetime.utcnow().isoformat()
    for r in ratings:
        org = model.Group.get(r["organization"])
        if org is None:
            continue
        tk.get_action("task_status_update")(dict(context, ignore_auth=True), {
            "entity_id": org.id, "entity_type": "organization", "task_type": TASK_TYPE,
            "key": r["type_name"], "value": json.dumps(r, ensure_ascii=False), "state": r["rating"],
            "error": "", "last_updated": now})
    return len(ratings)


def for_organization(org_id: str) -> dict[str, dict[str, Any]]:
    rows = model.Session.query(model.TaskStatus).filter(
        model.TaskStatus.entity_id == org_id, model.TaskStatus.task_type == TASK_TYPE).all()
    return {row.key: json.loads(row.value) for row in rows}


def late_lists() -> list[dict[str, Any]]:
    rows = model.Session.query(model.TaskStatus, model.Group).join(
        model.Group, model.Group.id == model.TaskStatus.entity_id).filter(
        model.TaskStatus.task_type == TASK_TYPE, model.TaskStatus.state.in_(LATE)).all()
    out = [dict(json.loads(ts.value), title=g.title) for ts, g in rows]
    return sorted(out, key=lambda r: (r["rating"] != "delinquent", r.get("last_confirmed") or "", r["organization"]))

"""Submissions (提交记录): what each department sent, and what became of it.

Kept in CKAN's own task_status table (entity = the organization, task_type
`qingyang_submission`), so no extra schema is needed. The pipeline records
each processed file through the `qingyang_submission_record` action.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

TASK_TYPE = "qingyang_submission"


def record(context: dict, org: model.Group, report: dict[str, Any]) -> dict[str, Any]:
    key = f"{report['type_name']}:{report.get('sha256', '')[:16]}:{report['run_id']}"
    data = {"entity_id": org.id, "entity_type": "organization", "task_type": TASK_TYPE, "key": key,
            "value": json.dumps(report, ensure_ascii=False), "state": report.get("outcome", ""),
            "error": report.get("reason_zh", ""), "last_updated": dt.datetime.utcnow().isoformat()}
    return tk.get_action("task_status_update")(dict(context, ignore_auth=True), data)


def for_organization(org: model.Group, limit: int = 200) -> list[dict[str, Any]]:
    rows = model.Session.query(model.TaskStatus).filter(
        model.TaskStatus.entity_id == org.id, model.TaskStatus.task_type == TASK_TYPE
    ).order_by(model.TaskStatus.last_updated.desc()).limit(limit).all()
    out = []
    for row in rows:
        report = json.loads(row.value or "{}")
        report["id"] = row.id
        report["recorded_at"] = row.last_updated.isoformat() if row.last_updated else ""
        out.append(report)
    return out


def get(org_id: str, submission_id: str) -> dict[str, Any] | None:
    row = model.Session.query(model.TaskStatus).filter(
        model.TaskStatus.id == submission_id, model.TaskStatus.entity_id == org_id,
        model.TaskStatus.task_type == TASK_TYPE).first()
    return dict(json.loads(row.value or "{}"), id=row.id) if row else None

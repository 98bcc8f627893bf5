"""What was published, when, by whom and approved by whom: versions, the item's
responsibility record (`publication` in package_show) and a department's publication list."""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.model import version
from ckanext.qingyang.publishing import item, workflow
from ckanext.qingyang.sharing import access


def version_dict(row: dict, with_people: bool, with_data: bool = False) -> dict[str, Any]:
    """A version for the API; people's names only for government readers."""
    offices = workflow.review_offices(row)
    out = {
        "number": row["number"], "change": row["change"],
        "change_label": workflow.CHANGE_LABELS.get(row["change"], row["change"]), "reason": row.get("reason"),
        "state": row["state"],
        "state_label": {**workflow.state_labels(), "superseded": "已被新版本替代",
                        "withdrawn": "已撤回"}.get(row["state"], row["state"]),
        "title": row["title"],
        "publisher_org": item.org_title(row["owner_org"]),
        "review_offices": [item.org_title(o) for o in offices.values()],
        "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else None,
        "published_at": row["published_at"].isoformat() if row["published_at"] else None,
        "declaration": row["declaration"],
        "return_reason": row["return_reason"],
        "adjustment_id": row["adjustment_id"],
        "reviews": [],
    }
    for r in item.reviews(row["id"]):
        one = {"office": item.org_title(r["office_org"]), "role": workflow.role_label(r["role"]),
               "decision": r["decision"], "reason": r["reason"], "at": r["at"].isoformat()}
        if with_people:
            one["reviewer"] = r["reviewer_name"]
        out["reviews"].append(one)
    if with_people:
        out["submitter"] = row["submitter_name"]
        out["submitter_org"] = item.org_title(row["submitter_org"])
    if with_data and row.get("data"):
        out["data"] = json.loads(row["data"])
    return out


def add_publication(pkg_dict: dict[str, Any], user: model.User | None) -> None:
    """package_show of a list item carries its responsibility record (`publication`)."""
    pkg = model.Package.get(pkg_dict.get("id") or "")
    if pkg is not None and workflow.is_list_item(pkg_dict):
        pkg_dict["publication"] = publication_facts(pkg, user)


def publication_facts(pkg: model.Package, user: model.User | None) -> dict[str, Any]:
    """The responsibility record and state shown on the item page and in package_show."""
    state = workflow.item_state(pkg)
    current = workflow.current_version(pkg.id)
    facts = access.user_facts(user)
    people = facts.sysadmin or facts.government
    out: dict[str, Any] = {"state": state, "state_label": workflow.state_labels().get(state, state),
                           "publisher_org": item.org_title(pkg.owner_org)}
    if current:
        record = version_dict(current, people)
        out.update(review_offices=record["review_offices"], published_at=record["published_at"],
                   declaration=record["declaration"], reviews=record["reviews"], version=record["number"])
        if people:
            out.update(submitter=record["submitter"], submitter_org=record["submitter_org"])
    elif state in workflow.PUBLISHED:
        out["note"] = "该事项在平台启用审核流程前发布,没有审核记录"
    opened = workflow.open_version(pkg.id)
    if opened and (facts.sysadmin or facts.member_of(pkg.owner_org)
                   or set(workflow.review_offices(opened).values()) & facts.org_ids):
        out["open_version"] = {"change": opened["change"], "state": opened["state"],
                               "state_label": workflow.state_labels().get(opened["state"], opened["state"]),
                               "return_reason": opened["return_reason"],
                               "submitted_at": opened["submitted_at"].isoformat() if opened["submitted_at"] else None}
    return out


@tk.side_effect_free
def qingyang_item_history(context: dict, data_dict: dict) -> dict[str, Any]:
    """Every version of an item with its responsibility record and reviews.

    :param id: item id or name

    Versions still in review are listed for the department and its reviewers;
    people's names for government users.
    """
    pkg = item.get(data_dict.get("id"))
    tk.check_access("package_show", context, {"id": pkg.id})
    user = access.context_user(context)
    facts = access.user_facts(user)
    rows = workflow.versions(pkg.id)
    inside = facts.sysadmin or facts.member_of(pkg.owner_org) or any(
        set(workflow.review_offices(r).values()) & facts.org_ids for r in rows)
    out, previous = [], None
    for r in rows:
        one = version_dict(r, facts.sysadmin or facts.government, with_data=inside)
        if r["state"] in ("published", "superseded") and r.get("data"):
            content = json.loads(r["data"])
            one["changes"] = workflow.diff(pkg.type, previous, content)   # readable, by Chinese label
            previous = content
        if inside or r["state"] in ("published", "superseded"):
            out.append(one)
    return {"id": pkg.id, "name": pkg.name, "title": pkg.title,
            "publication": publication_facts(pkg, user), "versions": out}


@tk.side_effect_free
def qingyang_publication_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Which of a department's people submitted what, and what became of it.

    :param organization: the department (its admins and the platform admin)
    """
    org = model.Group.get(data_dict.get("organization") or "")
    if org is None or not org.is_organization:
        raise tk.ObjectNotFound("部门不存在")
    tk.check_access("qingyang_publication_list", context, {"organization": org.id})
    t = version.c
    rows = model.Session.execute(sa.select(version).where(
        sa.or_(t.owner_org == org.id, t.submitter_org == org.id), t.submitted_at.isnot(None)
    ).order_by(t.submitted_at.desc()).limit(int(data_dict.get("limit") or 500))).mappings().all()
    out = []
    for row in rows:
        one = version_dict(dict(row), with_people=True)
        pkg = model.Package.get(row["package_id"])
        one.update(id=row["package_id"], name=pkg.name if pkg else row["package_id"])
        out.append(one)
    return out

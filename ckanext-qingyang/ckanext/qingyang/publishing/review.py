"""Review: who may review an item (`may_review`, used by the action and its auth
function alike), approve or return, co-signing, publication, the 待我审核 queue."""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.catalog import bulk, jurisdiction
from ckanext.qingyang.core import listdef
from ckanext.qingyang.deadlines import calendar, limits
from ckanext.qingyang.model import review, version
from ckanext.qingyang.publishing import item, marker_gate, workflow
from ckanext.qingyang.sharing import notices

log = logging.getLogger(__name__)


def approved_roles(version_row: dict, reviews: list[dict] | None = None) -> set[str]:
    """Roles that approved this submission; approvals of an earlier round (before a
    return or an edit and resubmission) were of other content and do not count."""
    since = version_row["submitted_at"]
    return {r["role"] for r in (item.reviews(version_row["id"]) if reviews is None else reviews)
            if r["decision"] == "approve" and (since is None or r["at"] >= since)}


def may_review(user: model.User, pkg: model.Package, opened: dict) -> list[tuple[str, str]]:
    """Who may review an item: an editor or admin of an office its submitted version is
    routed to (routes are frozen at submission), and not its submitter; sysadmin rights do
    not count. The (role, office) pairs this user reviews it for, or a refusal naming why.

    The one rule: qingyang_item_review and its auth function both ask it.
    """
    if opened["submitted_by"] == user.id:
        raise tk.NotAuthorized("不能审核本人提交的事项(审核与提交须由不同人员完成)")
    offices = workflow.review_offices(opened)
    mine = [(role, office) for role, office in offices.items() if workflow.can_review_for(user, office)]
    if not mine:
        names = "、".join(item.org_title(o) for o in offices.values())
        theirs = workflow.reviewer_offices(user)
        if theirs and not any(jurisdiction.roles(o) & set(offices) for o in theirs):
            raise tk.NotAuthorized(f"本单位不负责审核{listdef.load_type(pkg.type).list_label},该事项由{names}审核")
        if theirs:
            raise tk.NotAuthorized(f"该事项属于“{item.org_title(pkg.owner_org)}”,应由本辖区的{names}审核,不能跨辖区审核")
        raise tk.NotAuthorized(f"只有{names}的审核人员(编辑或管理员)可以审核该事项")
    return mine


def _review_role(user: model.User, pkg: model.Package, opened: dict) -> tuple[str, str, set[str]]:
    """(role, office) this user reviews the version for now, with the roles already approved."""
    mine = may_review(user, pkg, opened)
    done = approved_roles(opened)
    todo = [(r, o) for r, o in mine if r not in done]
    if not todo:
        raise tk.ValidationError({"id": ["本单位已审核通过该事项,正在等待其他单位会签"]})
    return (*todo[0], done)


def _publish(pkg: model.Package, opened: dict, user: model.User, content: dict) -> None:
    """All offices approved: the version becomes the published one (commits)."""
    now = workflow.now()
    state = workflow.item_state(pkg)
    new_state = "published" if state in workflow.UNPUBLISHED or opened["change"] == "restore" else state
    if content.get("list_status") == bulk.WITHDRAWN:   # a revision that withdraws the item
        new_state = "cancelled"
    model.Session.execute(version.update().where(
        version.c.package_id == pkg.id, version.c.state == "published", version.c.id != opened["id"]
    ).values(state="superseded"))
    # the published content stays with its version: the history page diffs consecutive versions
    item.update_version(opened["id"], state="published", published_at=now, closed_at=now,
                        data=json.dumps(content, ensure_ascii=False, default=str))
    item.apply(pkg.id, user, {"publish_state": new_state, "private": False},
               base=content if opened["change"] in workflow.REVISIONS else None)


def review_one(user: model.User, ref: str, decision: str, reason: str = "") -> dict[str, Any]:
    pkg = item.get(ref)
    opened = workflow.open_version(pkg.id)
    if opened is None or opened["state"] != "pending":
        raise tk.ValidationError({"id": [f"“{pkg.title}”没有待审核的内容"]})
    role, office, done = _review_role(user, pkg, opened)
    if decision == "return" and listdef.is_blank(reason):
        raise tk.ValidationError({"reason": ["退回须写明原因"]})
    completes = decision == "approve" and set(workflow.review_offices(opened)) <= done | {role}
    content = None
    if completes:
        content = item.proposed_content(pkg.id, opened)
        marker_gate.refuse_markers(pkg, content, "publishing")   # before anything is written
        if opened["change"] in workflow.REVISIONS:
            item.validate(pkg, content, user)
    model.Session.execute(review.insert().values(
        id=str(uuid.uuid4()), version_id=opened["id"], package_id=pkg.id, reviewer_id=user.id,
        reviewer_name=user.fullname or user.name, office_org=office, role=role, decision=decision,
        reason=(reason or "").strip() or None, at=workflow.now()))
    try:
        if completes:
            _publish(pkg, opened, user, content)
        elif decision == "return":
            item.update_version(opened["id"], state="returned", return_reason=reason.strip())
            if opened["change"] == "create":
                item.apply(pkg.id, user, {"publish_state": "returned", "private": True})
        model.repo.commit()
    except Exception:
        model.Session.rollback()
        raise
    after = workflow.open_version(pkg.id)
    state = "published" if after is None else after["state"]
    if opened["submitted_by"]:
        what = {"published": "已审核通过并发布", "returned": f"被退回:{reason}", "pending": "已通过本单位审核,等待其他单位会签"}
        notices.notify([opened["submitted_by"]], f"审核结果:{pkg.title}",
                       f"您提交的“{pkg.title}”{what.get(state, state)}(审核单位:{item.org_title(office)})。",
                       item.link(pkg))
    log.info("review of %s by %s (%s): %s -> %s", pkg.name, user.name, role, decision, state)
    return {"id": pkg.id, "name": pkg.name, "decision": decision, "state": state,
            "office": item.org_title(office)}


def qingyang_item_review(context: dict, data_dict: dict) -> dict[str, Any]:
    """Approve or return a pending item or revision.

    :param id: item id or name
    :param decision: ``approve`` or ``return``
    :param reason: required to return; recorded either way

    Only an editor or admin of an office that reviews this list type for the
    item's jurisdiction (catalogs/review_routes.yaml), and not the submitter.
    Sysadmin rights do not make anyone a reviewer.
    """
    user = item.acting_user(context)
    decision = data_dict.get("decision")
    if decision not in ("approve", "return"):
        raise tk.ValidationError({"decision": ["审核结论应为 approve(通过)或 return(退回)"]})
    return review_one(user, data_dict.get("id"), decision, data_dict.get("reason") or "")


def qingyang_item_review_bulk(context: dict, data_dict: dict) -> dict[str, Any]:
    """Approve many items of the caller's own queue; each gets its own review record.

    :param ids: item ids or names
    :param reason: optional remark recorded on each review

    Items that cannot be approved are reported by name; the others are approved.
    """
    user = item.acting_user(context)
    done, errors = [], {}
    for ref in item.ids(data_dict):
        try:
            done.append(review_one(user, ref, "approve", data_dict.get("reason") or ""))
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            model.Session.rollback()
            errors[ref] = [m for ms in e.error_dict.values() for m in ms] if isinstance(e, tk.ValidationError) \
                else [str(e.message if hasattr(e, "message") else e)]
    return {"approved": done, "errors": errors}


@tk.side_effect_free
def qingyang_review_queue(context: dict, data_dict: dict) -> dict[str, Any]:
    """待我审核: items waiting for the caller's offices, oldest first.

    :param overdue: only items waiting longer than the limit (working days); with ``all``
        the platform admin sees every office's overdue items
    :param all: every office's queue (platform admin only)
    """
    user = item.acting_user(context)
    every = tk.asbool(data_dict.get("all"))
    if every:
        tk.check_access("qingyang_review_queue_all", context, data_dict)
    offices = {o.id for o in workflow.reviewer_offices(user)}
    t = version.c
    live = sa.select(model.package_table.c.id).where(model.package_table.c.state == "active")
    rows = model.Session.execute(sa.select(version).where(t.state == "pending", t.package_id.in_(live))
                                 .order_by(t.submitted_at)).mappings().all()
    cal, limit, today = calendar(), limits().review_days, dt.date.today()
    reviews: dict[str, list[dict]] = {row["id"]: [] for row in rows}   # one query for the whole queue
    if rows:
        for r in model.Session.execute(sa.select(review).where(review.c.version_id.in_(list(reviews)))).mappings():
            reviews[r["version_id"]].append(dict(r))
    items = []
    for row in rows:
        mapping = workflow.review_offices(row)
        done = approved_roles(row, reviews[row["id"]])
        waiting = {role: o for role, o in mapping.items() if role not in done}
        if not every and not (set(waiting.values()) & offices):
            continue
        age = cal.between(row["submitted_at"].date(), today)
        if tk.asbool(data_dict.get("overdue")) and age <= limit:
            continue
        pkg = model.Package.get(row["package_id"])
        items.append({
            "id": row["package_id"], "name": pkg.name if pkg else row["package_id"],
            "title": row["title"], "type": row["package_type"],
            "list_label": listdef.load_type(row["package_type"]).list_label,
            "change": row["change"], "change_label": workflow.CHANGE_LABELS.get(row["change"], row["change"]),
            "reason": row["reason"], "publisher_org": item.org_title(row["owner_org"]),
            "submitter": row["submitter_name"], "submitted_at": row["submitted_at"].isoformat(),
            "age_working_days": age, "overdue": age > limit,
            "waiting_for": [item.org_title(o) for o in waiting.values()],
            "mine": bool(set(waiting.values()) & offices) and row["submitted_by"] != user.id,
        })
    return {"limit_working_days": limit, "count": len(items), "items": items}

"""Submitting drafts (new items, revisions, restorations) for review, with the declaration."""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.core import listdef
from ckanext.qingyang.deadlines import limits
from ckanext.qingyang.model import version
from ckanext.qingyang.publishing import item, marker_gate, workflow
from ckanext.qingyang.sharing import access, notices

log = logging.getLogger(__name__)


def _submitter_org(user: model.User, owner_org: str) -> str:
    """The department the submitter acts for: the owner if they belong to it."""
    facts = access.user_facts(user)
    if owner_org in facts.org_ids:
        return owner_org
    return sorted(facts.org_ids)[0] if facts.org_ids else ""


def qingyang_item_submit(context: dict, data_dict: dict) -> dict[str, Any]:
    """Submit drafts (new items, or revisions of published ones) for review.

    :param ids: item ids or names (or ``id`` for one)
    :param declaration: must be true: the submitter declares the content
        non-classified and answers for its accuracy, timeliness and legality
        (the text is ``qingyang_workflow_info``'s ``declaration``)

    All or nothing: if any item cannot be submitted, none is, and the errors
    name each item.
    """
    user = item.acting_user(context)
    if not tk.asbool(data_dict.get("declaration")):
        raise tk.ValidationError({"declaration": [f"提交审核须确认声明:{workflow.DECLARATION}"]})
    pkgs = [item.get(ref) for ref in item.ids(data_dict)]
    errors: dict[str, list[str]] = {}
    plans = []
    for pkg in pkgs:
        tk.check_access("package_update", dict(context), {"id": pkg.id})
        state = workflow.item_state(pkg)
        opened = workflow.open_version(pkg.id)
        if state in ("draft", "returned"):
            change = "create"
        elif state in workflow.PUBLISHED and opened and opened["state"] in ("draft", "returned"):
            change = opened["change"]
        else:
            label = workflow.state_labels().get(state, state)
            why = "已在审核中" if state == "pending" or (opened and opened["state"] == "pending") else \
                f"当前状态为“{label}”,没有待提交的内容"
            errors[pkg.name] = [f"“{pkg.title}”{why}"]
            continue
        found = marker_gate.marker_findings(pkg.type, item.proposed_content(pkg.id, opened))
        if found:   # many items may be submitted at once: each message names its item
            errors[pkg.name] = [f"“{pkg.title}”:{m}" for m in found]
            continue
        try:
            offices = workflow.offices_for(pkg.type, pkg.owner_org)
        except tk.ValidationError as e:
            errors[pkg.name] = [m for ms in e.error_dict.values() for m in ms]
            continue
        plans.append((pkg, opened, change, offices))
    if errors:
        log.info("submit by %s refused for %d items", user.name, len(errors))
        raise tk.ValidationError(errors)
    now = workflow.now()
    out, notes = [], []
    for pkg, opened, change, offices in plans:
        values = dict(state="pending", submitted_by=user.id, submitter_name=user.fullname or user.name,
                      submitter_org=_submitter_org(user, pkg.owner_org), declaration=workflow.DECLARATION,
                      submitted_at=now, return_reason=None,
                      offices=json.dumps({r: o.id for r, o in offices.items()}))
        if opened:
            item.update_version(opened["id"], **values)
        else:
            item.insert_version(pkg, change, user=user, **values)
        if change == "create":
            item.apply(pkg.id, user, {"publish_state": "pending", "private": True})
        out.append({"id": pkg.id, "name": pkg.name, "change": change,
                    "review_offices": [o.title for o in offices.values()]})
        reviewers = {uid for o in offices.values() for uid in notices.org_editors(o.id)}
        notes.append((reviewers - {user.id}, f"待审核:{pkg.title}",
                      f"{item.org_title(pkg.owner_org)} 提交了{listdef.load_type(pkg.type).list_label}事项“{pkg.title}”"
                      f"({workflow.CHANGE_LABELS[change]}),请在 {limits().review_days} 个工作日内审核。",
                      tk.url_for("qingyang_publishing.review_item", id=pkg.name, _external=True)))
    model.repo.commit()
    for note in notes:
        notices.notify(*note)
    log.info("%s submitted %d items for review", user.name, len(out))
    return {"submitted": out}


def unsubmitted(org_id: str) -> list[dict[str, Any]]:
    """A department's items with something to submit: drafts, returned items, unsubmitted revisions."""
    P = model.Package
    t = version.c
    revised = sa.select(t.package_id).where(t.owner_org == org_id, t.state.in_(("draft", "returned")))
    pkgs = model.Session.query(P).filter(
        P.owner_org == org_id, P.state == "active", P.type.in_(listdef.TYPE_NAMES),
        sa.or_(P.extras["publish_state"].astext.in_(("draft", "returned")), P.id.in_(revised))
    ).order_by(P.type, P.title).limit(2000).all()
    labels = workflow.state_labels()
    out = []
    for pkg in pkgs:
        opened = workflow.open_version(pkg.id)
        state = workflow.item_state(pkg)
        out.append({"id": pkg.id, "name": pkg.name, "title": pkg.title, "type": pkg.type,
                    "list_label": listdef.load_type(pkg.type).list_label,
                    "change": opened["change"] if opened else "create",
                    "change_label": workflow.CHANGE_LABELS[opened["change"] if opened else "create"],
                    "reason": opened["reason"] if opened else None,
                    "state_label": labels.get(opened["state"] if opened else state, state),
                    "return_reason": opened["return_reason"] if opened else None})
    return out

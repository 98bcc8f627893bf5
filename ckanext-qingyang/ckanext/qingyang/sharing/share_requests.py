"""Share requests (有条件共享, by a department) and open-data applications (有条件开放, by a
registered user): request, decision within the configured working days (core.deadlines),
grant, expiry, revocation.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.deadlines import overdue
from ckanext.qingyang.deadlines import calendar, limits
from ckanext.qingyang.model import share_request
from ckanext.qingyang.sharing import access, notices

log = logging.getLogger(__name__)

KIND_LABELS = {"share": "共享申请", "open": "开放申请"}
STATE_LABELS = {"pending": "待审核", "overdue": "逾期未答复", "approved": "已同意(有效)", "not_started": "已同意(未到期始日)",
                "expired": "已过期", "refused": "已拒绝", "revoked": "已撤销"}


def _package(package_id: str | None) -> model.Package:
    pkg = model.Package.get(package_id or "")
    if pkg is None or pkg.state != "active":
        raise tk.ObjectNotFound(f"信息资源不存在: {package_id}")
    return pkg


def _date(value: Any, field: str, label: str) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise tk.ValidationError({field: [f"{label}:“{value}”不是有效日期(应为 YYYY-MM-DD)"]}) from None


def _info_item_names(pkg: model.Package) -> list[str]:
    raw = (pkg.extras or {}).get("info_items") or "[]"
    try:
        return [i["item_name"] for i in json.loads(raw)]
    except (ValueError, KeyError, TypeError):
        return []


def state_of(row: dict, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    if row["status"] == "pending":
        return "overdue" if overdue(row["due_date"], today) else "pending"
    if row["status"] == "approved":
        if row["period_end"] < today:
            return "expired"
        return "not_started" if row["period_start"] > today else "approved"
    return row["status"]


def dictize(row: Any, today: dt.date | None = None) -> dict[str, Any]:
    today = today or dt.date.today()
    out = dict(row)
    pkg = model.Package.get(out["package_id"])
    owner = model.Group.get(out["owner_org"])
    requester = model.User.get(out["requester_id"])
    req_org = model.Group.get(out["requester_org"]) if out["requester_org"] else None
    out["state"] = state_of(out, today)
    out["state_label"] = STATE_LABELS[out["state"]]
    out["kind_label"] = KIND_LABELS[out["kind"]]
    out["info_items"] = json.loads(out["info_items"])
    out["package_name"] = pkg.name if pkg else None
    out["package_title"] = pkg.title if pkg else None
    out["owner_org_name"] = owner.name if owner else None
    out["owner_org_title"] = owner.title if owner else None
    out["requester_name"] = requester.name if requester else None
    out["requester_org_name"] = req_org.name if req_org else None
    out["requester_org_title"] = req_org.title if req_org else None
    end = out["decided_at"].date() if out["decided_at"] else today
    out["age_working_days"] = calendar().between(out["created"].date(), end)
    for k in ("created", "decided_at", "revoked_at", "period_start", "period_end", "due_date"):
        if out[k] is not None:
            out[k] = out[k].isoformat()
    return out


def _get_row(request_id: str) -> dict:
    row = model.Session.execute(sa.select(share_request).where(share_request.c.id == request_id)).mappings().first()
    if row is None:
        raise tk.ObjectNotFound(f"申请不存在: {request_id}")
    return dict(row)


def own_departments(user: model.User | None) -> list[model.Group]:
    """The departments a user belongs to, by name: whose requests it sees, for which it asks."""
    facts = access.user_facts(user)
    return model.Session.query(model.Group).filter(model.Group.id.in_(facts.org_ids)).order_by(model.Group.name).all()


def _requests_page() -> str:
    return tk.url_for("qingyang_sharing.share_requests", _external=True)


# ---------------------------------------------------------------- actions
def qingyang_share_request_create(context: dict, data_dict: dict) -> dict[str, Any]:
    """Ask for the data of a conditionally shared or conditionally open resource.

    :param id: the resource's (dataset's) id or name
    :param organization: the requesting department (a 共享申请); leave out for
        a registered user's 开放申请
    :param purpose: 用途
    :param basis: 依据 (法律法规或职责依据)
    :param info_items: the 信息项 needed (list, or names separated by ;)
    :param period_start: first day of use (YYYY-MM-DD, default today)
    :param period_end: last day of use (YYYY-MM-DD)
    """
    tk.check_access("qingyang_share_request_create", context, data_dict)
    user = access.context_user(context)
    pkg = _package(data_dict.get("id"))
    vis = access.item_visibility(pkg)
    org_ref = data_dict.get("organization")
    kind = "share" if org_ref else "open"
    if vis is None or not vis.grants or kind not in vis.grants:
        what = "共享申请" if kind == "share" else "开放申请"
        raise tk.ValidationError({"id": [f"该信息资源不受理{what}:其共享类型/开放属性不需要或不允许申请"]})
    requester_org = None
    if kind == "share":
        requester_org = model.Group.get(org_ref)
        if requester_org is None or not requester_org.is_organization:
            raise tk.ValidationError({"organization": [f"申请部门不存在: {org_ref}"]})
        if not access.user_facts(user).member_of(requester_org.id):
            raise tk.NotAuthorized("只能以本人所在部门的名义提交共享申请")
        if requester_org.id == pkg.owner_org:
            raise tk.ValidationError({"organization": ["本部门的信息资源无需申请"]})
    errors: dict[str, list[str]] = {}
    for field, label in (("purpose", "用途"), ("basis", "依据")):
        if listdef.is_blank(data_dict.get(field)):
            errors[field] = [f"{label}:必填,不能为空"]
    items = data_dict.get("info_items") or []
    if isinstance(items, str):
        items = [i.strip() for i in listdef.LIST_SEPARATORS.split(items) if i.strip()]
    known = _info_item_names(pkg)
    unknown = [i for i in items if i not in known]
    if not items:
        errors["info_items"] = ["信息项:请至少选择一项所需信息项"]
    elif unknown:
        errors["info_items"] = [f"信息项:“{unknown[0]}”不是该信息资源的信息项,应为 {'、'.join(known)} 中的项"]
    today = dt.date.today()
    start = _date(data_dict.get("period_start") or today.isoformat(), "period_start", "使用期限起")
    if listdef.is_blank(data_dict.get("period_end")):
        errors["period_end"] = ["使用期限止:必填,不能为空"]
    else:
        end = _date(data_dict["period_end"], "period_end", "使用期限止")
        if end < start or end < today:
            errors["period_end"] = ["使用期限止:不能早于使用期限起或今天"]
    if errors:
        raise tk.ValidationError(errors)
    row = {"id": str(uuid.uuid4()), "kind": kind, "package_id": pkg.id, "owner_org": pkg.owner_org,
           "requester_id": user.id, "requester_org": requester_org.id if requester_org else None,
           "purpose": data_dict["purpose"].strip(), "basis": data_dict["basis"].strip(),
           "info_items": json.dumps(items, ensure_ascii=False), "period_start": start, "period_end": end,
           "status": "pending", "created": dt.datetime.utcnow(),
           "due_date": calendar().due_on(today, limits().share_decision_days)}
    model.Session.execute(share_request.insert().values(**row))
    model.Session.commit()
    who = requester_org.title if requester_org else f"公众用户 {user.name}"
    notices.notify(notices.org_editors(pkg.owner_org), f"新的{KIND_LABELS[kind]}:{pkg.title}",
                   f"{who} 申请使用“{pkg.title}”。用途:{row['purpose']};依据:{row['basis']};"
                   f"信息项:{'、'.join(items)};期限:{start} 至 {end}。请在 {row['due_date']} 前答复。",
                   _requests_page())
    log.info("share request %s: %s asks for %s (%s)", row["id"], user.name, pkg.name, kind)
    return dictize(_get_row(row["id"]))


def _owner_action(context: dict, request_id: str, auth: str) -> tuple[dict, model.User]:
    row = _get_row(request_id)
    tk.check_access(auth, context, {"id": request_id, "owner_org": row["owner_org"]})
    return row, access.context_user(context)


def qingyang_share_request_decide(context: dict, data_dict: dict) -> dict[str, Any]:
    """Approve or refuse a pending request, with a stated reason.

    :param id: the request id
    :param decision: ``approve`` or ``refuse``
    :param reason: the reason (required)
    """
    row, user = _owner_action(context, data_dict.get("id"), "qingyang_share_request_decide")
    decision = data_dict.get("decision")
    if decision not in ("approve", "refuse"):
        raise tk.ValidationError({"decision": ["答复:应为 approve(同意)或 refuse(拒绝)"]})
    if listdef.is_blank(data_dict.get("reason")):
        raise tk.ValidationError({"reason": ["理由:必填,同意或拒绝都须说明理由"]})
    if row["status"] != "pending":
        raise tk.ValidationError({"id": [f"该申请已{STATE_LABELS[state_of(row)]},不能再次答复"]})
    status = "approved" if decision == "approve" else "refused"
    values = {"status": status, "decided_at": dt.datetime.utcnow(), "decided_by": user.id,
              "decision_reason": data_dict["reason"].strip()}
    # only a pending row changes: two reviewers answering at once cannot both win
    done = model.Session.execute(share_request.update().where(
        share_request.c.id == row["id"], share_request.c.status == "pending").values(**values)).rowcount
    model.Session.commit()
    if not done:
        raise tk.ValidationError({"id": ["该申请已被答复"]})
    row.update(values)
    pkg = model.Package.get(row["package_id"])
    verdict = "已同意" if status == "approved" else "已拒绝"
    notices.notify([row["requester_id"]], f"{KIND_LABELS[row['kind']]}{verdict}:{pkg.title if pkg else ''}",
                   f"您对“{pkg.title if pkg else row['package_id']}”的{KIND_LABELS[row['kind']]}{verdict}。"
                   f"理由:{values['decision_reason']}。" +
                   (f"有效期 {row['period_start']} 至 {row['period_end']}。" if status == "approved" else ""),
                   _requests_page())
    log.info("share request %s %s by %s", row["id"], status, user.name)
    return dictize(row)


def qingyang_share_request_revoke(context: dict, data_dict: dict) -> dict[str, Any]:
    """Revoke an approved grant before its end, with a reason.

    :param id: the request id
    :param reason: the reason (required)
    """
    row, user = _owner_action(context, data_dict.get("id"), "qingyang_share_request_revoke")
    if listdef.is_blank(data_dict.get("reason")):
        raise tk.ValidationError({"reason": ["撤销理由:必填,不能为空"]})
    if row["status"] != "approved":
        raise tk.ValidationError({"id": [f"只能撤销已同意的申请,该申请{STATE_LABELS[state_of(row)]}"]})
    values = {"status": "revoked", "revoked_at": dt.datetime.utcnow(), "revoked_by": user.id,
              "revoke_reason": data_dict["reason"].strip()}
    model.Session.execute(share_request.update().where(share_request.c.id == row["id"]).values(**values))
    model.Session.commit()
    row.update(values)
    pkg = model.Package.get(row["package_id"])
    notices.notify([row["requester_id"]], f"授权已撤销:{pkg.title if pkg else ''}",
                   f"您对“{pkg.title if pkg else row['package_id']}”的使用授权已被撤销。理由:{values['revoke_reason']}。",
                   _requests_page())
    return dictize(row)


@tk.side_effect_free
def qingyang_share_request_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Requests, newest first.

    :param organization: a department: its incoming requests (as owner) and
        outgoing ones (as requester); the caller must be its member
    :param mine: true for the caller's own requests (default when no organization)
    :param package_id: only requests for this resource
    :param state: only this state (pending, overdue, approved, not_started, expired, refused, revoked)
    :param overdue: true for every department's overdue requests (platform admin)
    """
    tk.check_access("qingyang_share_request_list", context, data_dict)
    t = share_request.c
    q = sa.select(share_request).order_by(t.created.desc())
    if tk.asbool(data_dict.get("overdue")):
        q = q.where(t.status == "pending", t.due_date < dt.date.today())
    elif data_dict.get("organization"):
        org = model.Group.get(data_dict["organization"])
        if org is None:
            raise tk.ObjectNotFound(f"部门不存在: {data_dict['organization']}")
        q = q.where(sa.or_(t.owner_org == org.id, t.requester_org == org.id))
    else:
        q = q.where(t.requester_id == access.context_user(context).id)
    if data_dict.get("package_id"):
        pkg = _package(data_dict["package_id"])
        q = q.where(t.package_id == pkg.id)
    rows = [dictize(r) for r in model.Session.execute(q.limit(1000)).mappings()]
    if data_dict.get("state"):
        rows = [r for r in rows if r["state"] == data_dict["state"]]
    return rows


@tk.side_effect_free
def qingyang_share_request_show(context: dict, data_dict: dict) -> dict[str, Any]:
    """One request, to its requester, the owning department or the platform admin.

    :param id: the request id
    """
    row = _get_row(data_dict.get("id") or "")
    tk.check_access("qingyang_share_request_show", context, row)
    return dictize(row)


@tk.side_effect_free
def qingyang_grant_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """The caller's valid grants today: its departments' share grants and its own open grants."""
    tk.check_access("qingyang_grant_list", context, data_dict)
    held = access.grants_held(access.user_facts(access.context_user(context)))
    q = sa.select(share_request).where(held).order_by(share_request.c.period_end)
    grants = [dictize(r) for r in model.Session.execute(q).mappings()]
    for g in grants:  # what the grant opens, so an agency can fetch it directly
        pkg = model.Package.get(g["package_id"])
        g["resources"] = [{"id": r.id, "name": r.name, "url_type": r.url_type,
                           "datastore_active": bool((r.extras or {}).get("datastore_active"))}
                          for r in (pkg.resources if pkg else []) if r.state == "active"]
    return grants


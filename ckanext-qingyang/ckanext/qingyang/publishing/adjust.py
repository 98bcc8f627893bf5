"""When a law changes (第十二条): find the items whose 依据 cite it, adjust them all at
once by their reviewing office, and announce it (调整公告)."""
from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.logic import index_update_package_dicts, package_show_default_and_custom_schemas

from ckanext.qingyang.catalog import bulk
from ckanext.qingyang.core import listdef, markers
from ckanext.qingyang.model import adjustment, review, version
from ckanext.qingyang.publishing import item, marker_gate, workflow
from ckanext.qingyang.sharing import access, notices

log = logging.getLogger(__name__)
ADJUST_ACTIONS = {"abolish": "取消", "amend": "修改", "rebase": "变更依据"}


def _cites(value: Any, cited: str) -> bool:
    return any(cited in text for text in markers._texts(value))


@tk.side_effect_free
def qingyang_basis_search(context: dict, data_dict: dict) -> dict[str, Any]:
    """Published items whose 依据 fields cite a law or document, by its name.

    :param q: the name (or part of it), e.g. 《中华人民共和国城乡规划法》
    :param type: optional list type
    """
    tk.check_access("qingyang_basis_search", context, data_dict)
    cited = (data_dict.get("q") or "").strip().strip("《》")
    if len(cited) < 2:
        raise tk.ValidationError({"q": ["请输入依据的名称(至少两个字)"]})
    user = access.context_user(context)
    adjusters: dict[tuple[str, str], str | None] = {}   # offices are per list type and department
    types = [data_dict["type"]] if data_dict.get("type") else list(listdef.TYPE_NAMES)
    P = model.Package
    out = []
    for type_name in types:
        lt = listdef.load_type(type_name)
        if not lt.basis_fields:
            continue
        clauses = [P.extras[c.field_name].astext.contains(cited) for c in lt.basis_fields]
        q = model.Session.query(P).filter(P.type == type_name, P.state == "active", P.private.is_(False),
                                          sa.or_(*clauses)).order_by(P.owner_org, P.name)
        for pkg in q:
            if workflow.item_state(pkg) == "cancelled":
                continue
            fields = [c.label for c in lt.basis_fields if _cites((pkg.extras or {}).get(c.field_name), cited)]
            out.append({"id": pkg.id, "name": pkg.name, "title": pkg.title, "type": type_name,
                        "list_label": lt.list_label, "publisher_org": item.org_title(pkg.owner_org),
                        "fields": fields, "state": workflow.item_state(pkg),
                        "can_adjust": _cached_adjuster(adjusters, user, pkg) is not None})
    return {"q": cited, "count": len(out), "items": out}


def _cached_adjuster(cache: dict, user: model.User | None, pkg: model.Package) -> str | None:
    key = (pkg.type, pkg.owner_org)
    if key not in cache:
        cache[key] = _adjuster_office(user, pkg)
    return cache[key]


def _adjuster_office(user: model.User | None, pkg: model.Package) -> str | None:
    if user is None:
        return None
    try:
        offices = workflow.offices_for(pkg.type, pkg.owner_org)
    except tk.ValidationError:
        return None
    return next((o.id for o in offices.values() if workflow.can_review_for(user, o.id)), None)


def _rebased(value: Any, cited: str, basis: str) -> Any:
    """Each citation of `cited` replaced by the new basis: a whole list entry, or the 《…》 around it."""
    if isinstance(value, list):
        out = []
        for entry in value:
            new = basis if cited in str(entry) else entry
            if new not in out:
                out.append(new)
        return out
    if not isinstance(value, str) or cited not in value:
        return value
    titled = re.compile("《[^《》]*" + re.escape(cited) + "[^《》]*》")
    return titled.sub(basis, value) if titled.search(value) else value.replace(cited, basis)


def _adjust_fields(lt: listdef.ListType, action: str, reason: str, basis: str) -> dict[str, Any]:
    """The type's own status fields for an adjustment, where it has them."""
    names = {c.field_name for c in lt.fields}
    status = "cancelled" if action == "abolish" else "adjusted"
    out: dict[str, Any] = {}
    if "status" in names and lt.column("status").choice_for(status):
        out["status"] = status
        for field, value in (("adjustment_reason", reason), ("adjustment_basis", basis),
                             ("status_reason", f"{reason}(依据:{basis})")):
            if field in names:
                out[field] = value
    if action == "abolish":
        out.update(list_status="withdrawn", list_status_reason=f"{reason}(依据:{basis})")
    return out


def qingyang_adjust(context: dict, data_dict: dict) -> dict[str, Any]:
    """Adjust published items after a law changed, and announce it (调整公告).

    :param ids: item ids or names (e.g. from ``qingyang_basis_search``)
    :param action: ``abolish`` (取消), ``amend`` (修改) or ``rebase`` (变更依据)
    :param reason: 调整原因
    :param basis: the new 依据 (the law or decision behind the adjustment)
    :param cited: with ``rebase``: the old law's name, replaced by ``basis``
        in every 依据 field that cites it
    :param changes: with ``amend``: field values to set on every item

    By the office that reviews each item; all items or none.
    """
    user = item.acting_user(context)
    action = data_dict.get("action")
    errors: dict[str, list[str]] = {}
    if action not in ADJUST_ACTIONS:
        errors["action"] = ["调整方式应为 abolish(取消)、amend(修改)或 rebase(变更依据)"]
    for field, label in (("reason", "调整原因"), ("basis", "调整依据")):
        if listdef.is_blank(data_dict.get(field)):
            errors[field] = [f"{label}:必填,不能为空"]
    cited = (data_dict.get("cited") or "").strip()
    if action == "rebase" and len(cited.strip("《》")) < 2:
        errors["cited"] = ["变更依据须写明被替换的原依据名称"]
    changes = data_dict.get("changes") or {}
    if isinstance(changes, str):
        changes = json.loads(changes or "{}")
    if action == "amend" and not changes:
        errors["changes"] = ["修改须写明要修改的字段和新值"]
    if errors:
        raise tk.ValidationError(errors)
    reason, basis = data_dict["reason"].strip(), data_dict["basis"].strip()
    pkgs = [item.get(ref) for ref in item.ids(data_dict)]
    plans, refused, adjusters = [], {}, {}
    for pkg in pkgs:
        office = _cached_adjuster(adjusters, user, pkg)
        if office is None:
            refused[pkg.name] = [f"“{pkg.title}”不在本单位的审核范围内(须由其审核单位调整)"]
            continue
        if workflow.item_state(pkg) not in ("published", "adjusted"):
            refused[pkg.name] = [f"“{pkg.title}”当前状态为“{workflow.state_labels().get(workflow.item_state(pkg))}”,只能调整已发布的事项"]
            continue
        lt = listdef.load_type(pkg.type)
        content = item.show(pkg.id)
        new = dict(content)
        unknown = [k for k in changes if k not in {c.field_name for c in lt.columns}]
        if unknown:
            refused[pkg.name] = [f"{lt.list_label}没有字段 {'、'.join(unknown)}"]
            continue
        new.update(changes)
        if action == "rebase":
            term = cited.strip("《》")
            fields = [c for c in lt.basis_fields if _cites(new.get(c.field_name), term)]
            if not fields:
                refused[pkg.name] = [f"“{pkg.title}”的依据中没有“{cited}”"]
                continue
            for c in fields:
                new[c.field_name] = _rebased(new.get(c.field_name), term, basis)
        new.update(_adjust_fields(lt, action, reason, basis))
        new["publish_state"] = "cancelled" if action == "abolish" else "adjusted"
        found = marker_gate.marker_findings(pkg.type, new)
        if found:
            refused[pkg.name] = [f"“{pkg.title}”:{m}" for m in found]
            continue
        try:
            item.validate(pkg, new, user)
        except tk.ValidationError as e:
            refused[pkg.name] = [f"“{pkg.title}”{lt.column(k).label if k in {c.field_name for c in lt.fields} else k}:{m}"
                                 for k, ms in e.error_dict.items() for m in (ms if isinstance(ms, list) else [ms])]
            continue
        plans.append((pkg, office, new))
    if refused:
        raise tk.ValidationError(refused)
    now = workflow.now()
    adjustment_id = str(uuid.uuid4())
    items = []
    # one transaction: every item with its version and review rows, their activities and the
    # announcement, or nothing; the search index follows the commit
    ctx = dict(item.internal_context({}, user), defer_commit=True, return_id_only=True)
    try:
        for pkg, office, new in plans:
            model.Session.execute(version.update().where(
                version.c.package_id == pkg.id, version.c.state == "published").values(state="superseded"))
            vid = item.insert_version(pkg, "adjust", "published", user, submitted_by=user.id,
                                      data=json.dumps(new, ensure_ascii=False, default=str),
                                      submitter_name=user.fullname or user.name, submitter_org=office,
                                      submitted_at=now, published_at=now, closed_at=now, adjustment_id=adjustment_id,
                                      declaration=workflow.DECLARATION, offices=json.dumps({"adjust": office}))
            model.Session.execute(review.insert().values(
                id=str(uuid.uuid4()), version_id=vid, package_id=pkg.id, reviewer_id=user.id,
                reviewer_name=user.fullname or user.name, office_org=office, role="adjust", decision="approve",
                reason=f"{ADJUST_ACTIONS[action]}:{reason}(依据:{basis})", at=now))
            tk.get_action("package_update")(dict(ctx), dict(new, id=pkg.id))
            items.append({"id": pkg.id, "name": pkg.name, "title": pkg.title, "type": pkg.type,
                          "owner_org": item.org_title(pkg.owner_org)})
        offices = sorted({o for _, o, _ in plans})
        model.Session.execute(adjustment.insert().values(
            id=adjustment_id, at=now, action=action, reason=reason, basis=basis, cited=cited or None,
            office_org=offices[0], by_user=user.id, by_name=user.fullname or user.name,
            items=json.dumps(items, ensure_ascii=False)))
        shown = {}
        for pkg, _, _ in plans:
            default, custom = package_show_default_and_custom_schemas({"ignore_auth": True}, pkg.id)
            bulk.record_activity(ctx, user, pkg, custom, kind="changed")
            shown[pkg.id] = (default, custom)
        model.repo.commit()
    except Exception:
        model.Session.rollback()
        log.warning("adjustment by %s of %d items failed; nothing written", user.name, len(plans), exc_info=True)
        raise
    for both in shown.values():
        index_update_package_dicts(both)
    for pkg, _, _ in plans:
        notices.notify(notices.org_editors(pkg.owner_org), f"事项已调整:{pkg.title}",
                       f"“{pkg.title}”已{ADJUST_ACTIONS[action]}。原因:{reason};依据:{basis}。",
                       item.link(pkg))
    log.info("adjustment %s by %s: %s of %d items", adjustment_id, user.name, action, len(items))
    return adjustment_dict(_adjustment_row(adjustment_id))


def _adjustment_row(adjustment_id: str) -> dict:
    row = model.Session.execute(sa.select(adjustment).where(adjustment.c.id == adjustment_id)).mappings().first()
    if row is None:
        raise tk.ObjectNotFound("调整公告不存在")
    return dict(row)


def adjustment_dict(row: dict) -> dict[str, Any]:
    return {"id": row["id"], "at": row["at"].isoformat(), "action": row["action"],
            "action_label": ADJUST_ACTIONS.get(row["action"], row["action"]),
            "reason": row["reason"], "basis": row["basis"], "cited": row["cited"],
            "office": item.org_title(row["office_org"]), "items": json.loads(row["items"])}


@tk.side_effect_free
def qingyang_adjustment_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """调整公告: every adjustment, newest first (public).

    :param limit: how many (default 100)
    """
    tk.check_access("qingyang_adjustment_list", context, data_dict)
    rows = model.Session.execute(sa.select(adjustment).order_by(adjustment.c.at.desc())
                                 .limit(min(int(data_dict.get("limit") or 100), 1000))).mappings().all()
    return [adjustment_dict(dict(r)) for r in rows]

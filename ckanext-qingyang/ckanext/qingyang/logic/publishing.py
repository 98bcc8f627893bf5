"""Publishing workflow actions: submit, review, revise, adjust; and the chained CKAN
actions that keep every write to a list item inside the workflow.

Only this module moves an item between states. It calls CKAN's package_update with
`qingyang_workflow` in the context; every other write to a published item becomes a
revision that waits for review (a sysadmin's too).
"""
from __future__ import annotations

import copy
import datetime as dt
import json
import logging
import re
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib import plugins as lib_plugins
from ckan.lib import uploader
from ckan.logic import index_update_package_dicts, package_show_default_and_custom_schemas

from ckanext.qingyang import listdef, markers
from ckanext.qingyang.catalog import bulk, jurisdiction
from ckanext.qingyang.deadlines import calendar, limits
from ckanext.qingyang.model import adjustment, review, version
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.sharing import access, notices

log = logging.getLogger(__name__)
FLAG = "qingyang_workflow"
ADJUST_ACTIONS = {"abolish": "取消", "amend": "修改", "rebase": "变更依据"}


# ---------------------------------------------------------------- helpers
def _package(ref: Any) -> model.Package:
    pkg = model.Package.get(str(ref or ""))
    if pkg is None or pkg.state != "active" or not workflow.is_list_item(pkg):
        raise tk.ObjectNotFound(f"事项不存在: {ref}")
    return pkg


def _user(context: dict) -> model.User:
    user = access.context_user(context)
    if user is None:
        raise tk.NotAuthorized("请先登录")
    return user


def _ids(data_dict: dict) -> list[str]:
    ids = data_dict.get("ids") or ([data_dict["id"]] if data_dict.get("id") else [])
    if isinstance(ids, str):
        ids = [i for i in ids.replace(",", " ").split() if i]
    if not ids:
        raise tk.ValidationError({"ids": ["请至少选择一个事项"]})
    return list(dict.fromkeys(ids))


def _internal(context: dict, user: model.User | None = None) -> dict:
    # no defer_commit: CKAN 2.12's package_update then rolls its savepoint back. Each
    # write commits, with the workflow rows written before it; callers check first.
    ctx = {"model": model, "session": model.Session, FLAG: True, "ignore_auth": True}
    if user is not None:
        ctx.update(user=user.name, auth_user_obj=user)
    else:
        ctx["user"] = _site_user()
    return ctx


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def _show(pkg_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True, "use_cache": False, FLAG: True}, {"id": pkg_id})


def _apply(pkg_id: str, user: model.User | None, changes: dict, base: dict | None = None) -> dict:
    """Write an item through package_update as the workflow (records activity, reindexes)."""
    data = dict(base if base is not None else _show(pkg_id))
    data.update(changes)
    data["id"] = pkg_id
    return tk.get_action("package_update")(_internal({}, user), data)


def proposed_content(pkg_id: str, opened: dict | None) -> dict:
    """What a submission would publish: a revision's stored dict, else the (unpublished) item."""
    if opened and opened["change"] in workflow.REVISIONS and opened.get("data"):
        return json.loads(opened["data"])
    return _show(pkg_id)


def _labelled_fields(pkg_type: str, data: dict) -> list[tuple[str, Any]]:
    lt = listdef.load_type(pkg_type)
    out = [(c.label, data.get(c.field_name)) for c in lt.fields if c.field_name not in ("owner_org", "name")]
    for i, res in enumerate(data.get("resources") or (), 1):
        out.append((f"附件{i}名称", res.get("name")))
        out.append((f"附件{i}说明", res.get("description")))
    return out


def marker_findings(pkg_type: str, data: dict) -> list[str]:
    """Chinese messages for every classification marker in the fields and attached files."""
    found = [f.message_zh() for f in markers.scan_values(_labelled_fields(pkg_type, data))]
    for res in data.get("resources") or ():
        fmt = markers.file_format(res.get("url") or res.get("name") or "", res.get("format"))
        if res.get("url_type") != "upload" or fmt is None or not res.get("id"):
            continue
        name = res.get("name") or (res.get("url") or "").rsplit("/", 1)[-1]
        path = uploader.get_resource_uploader(res).get_path(res["id"])
        try:
            finding = markers.scan_file(path, name, fmt)
        except FileNotFoundError:
            found.append(f"附件《{name}》的文件不存在,无法确认不含密级标志")
            continue
        except markers.Unreadable as e:
            found.append(f"附件《{name}》:{e}")
            continue
        if finding:
            found.append(finding.message_zh())
    return found


def _refuse_markers(pkg: model.Package, data: dict, when: str) -> None:
    found = marker_findings(pkg.type, data)
    if found:
        log.warning("%s of %s refused: classification markers (%d findings)", when, pkg.name, len(found))
        raise tk.ValidationError({"classification": found})


def _update_version(version_id: str, **values) -> None:
    model.Session.execute(version.update().where(version.c.id == version_id).values(**values))


def _insert_version(pkg: model.Package, change: str, state: str, user: model.User | None, **values) -> str:
    vid = str(uuid.uuid4())
    model.Session.execute(version.insert().values(
        id=vid, package_id=pkg.id, package_type=pkg.type, owner_org=pkg.owner_org,
        number=workflow.next_number(pkg.id), change=change, state=state, title=pkg.title,
        created=workflow.now(), created_by=user.id if user else None, **values))
    return vid


def _org_title(org_id: str | None) -> str:
    org = model.Group.get(org_id or "")
    return org.title if org else ""


def _submitter_org(user: model.User, owner_org: str) -> str:
    """The department the submitter acts for: the owner if they belong to it."""
    facts = access.user_facts(user)
    if owner_org in facts.org_ids:
        return owner_org
    return sorted(facts.org_ids)[0] if facts.org_ids else ""


def _item_link(pkg: model.Package) -> str:
    return tk.url_for(f"{pkg.type}.read", id=pkg.name, _external=True)


# ---------------------------------------------------------------- dictizing
def _reviews(version_id: str) -> list[dict]:
    rows = model.Session.execute(sa.select(review).where(review.c.version_id == version_id)
                                 .order_by(review.c.at)).mappings().all()
    return [dict(r) for r in rows]


def approved_roles(version_row: dict, reviews: list[dict] | None = None) -> set[str]:
    """Roles that approved this submission; approvals of an earlier round (before a
    return or an edit and resubmission) were of other content and do not count."""
    since = version_row["submitted_at"]
    return {r["role"] for r in (_reviews(version_row["id"]) if reviews is None else reviews)
            if r["decision"] == "approve" and (since is None or r["at"] >= since)}


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
        "publisher_org": _org_title(row["owner_org"]),
        "review_offices": [_org_title(o) for o in offices.values()],
        "submitted_at": row["submitted_at"].isoformat() if row["submitted_at"] else None,
        "published_at": row["published_at"].isoformat() if row["published_at"] else None,
        "declaration": row["declaration"],
        "return_reason": row["return_reason"],
        "adjustment_id": row["adjustment_id"],
        "reviews": [],
    }
    for r in _reviews(row["id"]):
        one = {"office": _org_title(r["office_org"]), "role": workflow.role_label(r["role"]),
               "decision": r["decision"], "reason": r["reason"], "at": r["at"].isoformat()}
        if with_people:
            one["reviewer"] = r["reviewer_name"]
        out["reviews"].append(one)
    if with_people:
        out["submitter"] = row["submitter_name"]
        out["submitter_org"] = _org_title(row["submitter_org"])
    if with_data and row.get("data"):
        out["data"] = json.loads(row["data"])
    return out


def publication_facts(pkg: model.Package, user: model.User | None) -> dict[str, Any]:
    """The responsibility record and state shown on the item page and in package_show."""
    state = workflow.item_state(pkg)
    current = workflow.current_version(pkg.id)
    facts = access.user_facts(user)
    people = facts.sysadmin or facts.government
    out: dict[str, Any] = {"state": state, "state_label": workflow.state_labels().get(state, state),
                           "publisher_org": _org_title(pkg.owner_org)}
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


# ---------------------------------------------------------------- chained CKAN actions
@tk.chained_action
def package_create(up, context, data_dict):
    if (data_dict or {}).get("type", "dataset") == "dataset":
        # the generic type exists only for ckanext-dcat (schemas/dataset.yaml)
        raise tk.ValidationError({"type": ["请选择清单类型(如行政权力清单、监管信息共享目录),不能创建通用数据集"]})
    if not context.get(FLAG) and (data_dict or {}).get("type") in listdef.TYPE_NAMES:
        data_dict = dict(data_dict, private=True)   # a new item is a draft of its department
        data_dict.pop("publish_state", None)
    return up(context, data_dict)


SHOW_ONLY = ("publication", "qingyang_revision")   # added by package_show, never stored
RESTORE_REASON = "restore_reason"   # API callers' reason for a 恢复; recorded on the version, never stored


@tk.chained_action
def package_update(up, context, data_dict):
    data = {k: v for k, v in (data_dict or {}).items() if k not in SHOW_ONLY + (RESTORE_REASON,)}
    if context.get(FLAG):
        return up(context, data)
    pkg = model.Package.get(data.get("id") or data.get("name") or "")
    if pkg is None or not workflow.is_list_item(pkg):
        return up(context, data)
    state = workflow.item_state(pkg)
    if state in workflow.UNPUBLISHED:
        data["private"] = True
        data["publish_state"] = "draft" if state == "pending" else state
        if state == "pending":   # an edit takes the item back from its reviewers
            opened = workflow.open_version(pkg.id)
            if opened:
                _update_version(opened["id"], state="withdrawn", closed_at=workflow.now())
        return up(dict(context, **{FLAG: True}), data)
    reason = context.get(bulk.CHANGE_REASON) or (data_dict or {}).get(RESTORE_REASON)
    return _store_revision(context, pkg, data, reason)


def _store_revision(context: dict, pkg: model.Package, data: dict, reason: str | None = None) -> Any:
    """An edit of a published item: validated now, kept as a draft revision, published on approval.

    A cancelled item takes one change only: listed as 有效 again, it is a 恢复 (restore)
    with its reason, reviewed like any revision.
    """
    tk.check_access("package_update", context, data)
    user = access.context_user(context)
    if user is None:
        raise tk.NotAuthorized("请先登录")
    change = "revise"
    if workflow.item_state(pkg) == "cancelled":
        if (data.get("list_status") or "current") == bulk.WITHDRAWN:
            raise tk.ValidationError({"publish_state": [
                "该事项已取消,不能再修改;如需恢复,请将清单状态填为“有效”,恢复经审核通过后重新发布"]})
        if listdef.is_blank(reason):
            raise tk.ValidationError({RESTORE_REASON: ["恢复已取消的事项须写明恢复原因(restore_reason)"]})
        change = "restore"
    data.pop("publish_state", None)
    data["id"] = pkg.id
    _validate(pkg, data, user)
    opened = workflow.open_version(pkg.id)
    payload = json.dumps(data, ensure_ascii=False, default=str)
    if opened:
        _update_version(opened["id"], data=payload, state="draft", submitted_at=None, submitted_by=None,
                        change=change, reason=reason)
    else:
        _insert_version(pkg, change, "draft", user, data=payload, reason=reason)
    if not context.get("defer_commit"):
        model.repo.commit()
    log.info("revision of published %s stored as draft by %s", pkg.name, user.name)
    if context.get("return_id_only"):
        return pkg.id
    shown = tk.get_action("package_show")(dict(context), {"id": pkg.id})
    shown["qingyang_revision"] = {"state": "draft", "message": "已发布事项的修改已保存为待提交的修订;提交审核并通过后替换已发布版本"}
    return shown


def _validate(pkg: model.Package, data: dict, user: model.User) -> None:
    """Check a proposed version against the item's schema without writing anything."""
    package_plugin = lib_plugins.lookup_package_plugin(pkg.type)
    ctx = {"model": model, "session": model.Session, "user": user.name, "auth_user_obj": user, "package": pkg,
           FLAG: True}
    _, errors = lib_plugins.plugin_validate(package_plugin, ctx, copy.deepcopy(data),
                                            package_plugin.update_package_schema(), "package_update")
    if errors:
        raise tk.ValidationError(errors)


def _published(ref: Any) -> bool:
    pkg = model.Package.get(str(ref or ""))
    return pkg is not None and workflow.is_list_item(pkg) and workflow.item_state(pkg) in workflow.PUBLISHED


def _published_guard(ref: Any, what: str) -> None:
    if _published(ref):
        raise tk.ValidationError({"resources": [
            f"已发布事项的附件不能直接{what}:附件变更须随修订一起审核。请在修订中(package_update 的 resources)修改附件后提交审核"]})


def _resource_package(data_dict: dict) -> str | None:
    if data_dict.get("package_id"):
        return data_dict["package_id"]
    res = model.Resource.get(data_dict.get("id") or "")
    return res.package_id if res else None


@tk.chained_action
def resource_create(up, context, data_dict):
    if not context.get(FLAG):
        _published_guard(_resource_package(data_dict), "添加")
    return up(context, data_dict)


# what the DataStore and uploads maintain on their own: not content a reviewer approves
SYSTEM_RESOURCE_KEYS = {"id", "package_id", "datastore_active", "datastore_contains_all_records_of_source",
                        "last_modified", "metadata_modified", "size", "mimetype", "hash", "position"}


@tk.chained_action
def resource_update(up, context, data_dict):
    if not context.get(FLAG) and _published(_resource_package(data_dict)):
        stored = tk.get_action("resource_show")({"ignore_auth": True, FLAG: True}, {"id": data_dict["id"]})
        changed = {k for k, v in data_dict.items() if stored.get(k) != v and not (v in ("", None) and k not in stored)}
        if changed <= SYSTEM_RESOURCE_KEYS:
            return up(dict(context, **{FLAG: True}), data_dict)
        _published_guard(_resource_package(data_dict), "修改")
    return up(context, data_dict)


@tk.chained_action
def resource_delete(up, context, data_dict):
    if not context.get(FLAG):
        _published_guard(_resource_package(data_dict), "删除")
    return up(context, data_dict)


@tk.chained_action
def package_delete(up, context, data_dict):
    pkg = model.Package.get((data_dict or {}).get("id") or "")
    if pkg is not None and workflow.is_list_item(pkg) and not context.get(FLAG):
        if workflow.item_state(pkg) in workflow.PUBLISHED:
            raise tk.ValidationError({"id": ["已发布的事项不能删除:需要停止发布的,由审核单位通过调整予以取消,取消记录公开保留"]})
        opened = workflow.open_version(pkg.id)
        if opened:
            _update_version(opened["id"], state="withdrawn", closed_at=workflow.now())
    return up(context, data_dict)


@tk.chained_action
def dataset_purge(up, context, data_dict):
    pkg = model.Package.get((data_dict or {}).get("id") or "")
    if pkg is not None and workflow.is_list_item(pkg) and workflow.item_state(pkg) in workflow.PUBLISHED:
        raise tk.ValidationError({"id": ["已发布的事项不能清除:需要停止发布的,由审核单位通过调整予以取消,取消记录公开保留"]})
    return up(context, data_dict)


def _bulk_guard(data_dict: dict, message: str, states: tuple[str, ...]) -> None:
    ids = data_dict.get("datasets") or []
    pkgs = model.Session.query(model.Package).filter(model.Package.id.in_(ids)).all() if ids else []
    if any(workflow.is_list_item(p) and workflow.item_state(p) in states for p in pkgs):
        raise tk.ValidationError({"datasets": [message]})


@tk.chained_action
def bulk_update_public(up, context, data_dict):
    _bulk_guard(data_dict, "清单事项须经审核后发布,不能直接设为公开", workflow.UNPUBLISHED)
    return up(context, data_dict)


@tk.chained_action
def bulk_update_private(up, context, data_dict):
    _bulk_guard(data_dict, "已发布的事项不能直接设为私有;需要停止发布的,由审核单位通过调整予以取消", workflow.PUBLISHED)
    return up(context, data_dict)


@tk.chained_action
def bulk_update_delete(up, context, data_dict):
    _bulk_guard(data_dict, "已发布的事项不能删除;需要停止发布的,由审核单位通过调整予以取消", workflow.PUBLISHED)
    return up(context, data_dict)


# ---------------------------------------------------------------- submit
def qingyang_item_submit(context: dict, data_dict: dict) -> dict[str, Any]:
    """Submit drafts (new items, or revisions of published ones) for review.

    :param ids: item ids or names (or ``id`` for one)
    :param declaration: must be true: the submitter declares the content
        non-classified and answers for its accuracy, timeliness and legality
        (the text is ``qingyang_workflow_info``'s ``declaration``)

    All or nothing: if any item cannot be submitted, none is, and the errors
    name each item.
    """
    user = _user(context)
    if not tk.asbool(data_dict.get("declaration")):
        raise tk.ValidationError({"declaration": [f"提交审核须确认声明:{workflow.DECLARATION}"]})
    pkgs = [_package(ref) for ref in _ids(data_dict)]
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
        found = marker_findings(pkg.type, proposed_content(pkg.id, opened))
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
            _update_version(opened["id"], **values)
        else:
            _insert_version(pkg, change, user=user, **values)
        if change == "create":
            _apply(pkg.id, user, {"publish_state": "pending", "private": True})
        out.append({"id": pkg.id, "name": pkg.name, "change": change,
                    "review_offices": [o.title for o in offices.values()]})
        reviewers = {uid for o in offices.values() for uid in notices.org_editors(o.id)}
        notes.append((reviewers - {user.id}, f"待审核:{pkg.title}",
                      f"{_org_title(pkg.owner_org)} 提交了{listdef.load_type(pkg.type).list_label}事项“{pkg.title}”"
                      f"({workflow.CHANGE_LABELS[change]}),请在 {limits().review_days} 个工作日内审核。",
                      tk.url_for("qingyang.review_item", id=pkg.name, _external=True)))
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


# ---------------------------------------------------------------- review
def _review_role(user: model.User, pkg: model.Package, opened: dict) -> tuple[str, str, set[str]]:
    """(role, office) this user reviews the version for, with the roles already approved;
    or a refusal naming why."""
    if opened["submitted_by"] == user.id:
        raise tk.NotAuthorized("不能审核本人提交的事项(审核与提交须由不同人员完成)")
    offices = workflow.review_offices(opened)
    done = approved_roles(opened)
    mine = [(role, office) for role, office in offices.items() if workflow.can_review_for(user, office)]
    if not mine:
        names = "、".join(_org_title(o) for o in offices.values())
        theirs = workflow.reviewer_offices(user)
        if theirs and not any(jurisdiction.roles(o) & set(offices) for o in theirs):
            raise tk.NotAuthorized(f"本单位不负责审核{listdef.load_type(pkg.type).list_label},该事项由{names}审核")
        if theirs:
            raise tk.NotAuthorized(f"该事项属于“{_org_title(pkg.owner_org)}”,应由本辖区的{names}审核,不能跨辖区审核")
        raise tk.NotAuthorized(f"只有{names}的审核人员(编辑或管理员)可以审核该事项")
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
    _update_version(opened["id"], state="published", published_at=now, closed_at=now,
                    data=json.dumps(content, ensure_ascii=False, default=str))
    _apply(pkg.id, user, {"publish_state": new_state, "private": False},
           base=content if opened["change"] in workflow.REVISIONS else None)


def review_one(user: model.User, ref: str, decision: str, reason: str = "") -> dict[str, Any]:
    pkg = _package(ref)
    opened = workflow.open_version(pkg.id)
    if opened is None or opened["state"] != "pending":
        raise tk.ValidationError({"id": [f"“{pkg.title}”没有待审核的内容"]})
    role, office, done = _review_role(user, pkg, opened)
    if decision == "return" and listdef.is_blank(reason):
        raise tk.ValidationError({"reason": ["退回须写明原因"]})
    completes = decision == "approve" and set(workflow.review_offices(opened)) <= done | {role}
    content = None
    if completes:
        content = proposed_content(pkg.id, opened)
        _refuse_markers(pkg, content, "publishing")   # before anything is written
        if opened["change"] in workflow.REVISIONS:
            _validate(pkg, content, user)
    model.Session.execute(review.insert().values(
        id=str(uuid.uuid4()), version_id=opened["id"], package_id=pkg.id, reviewer_id=user.id,
        reviewer_name=user.fullname or user.name, office_org=office, role=role, decision=decision,
        reason=(reason or "").strip() or None, at=workflow.now()))
    try:
        if completes:
            _publish(pkg, opened, user, content)
        elif decision == "return":
            _update_version(opened["id"], state="returned", return_reason=reason.strip())
            if opened["change"] == "create":
                _apply(pkg.id, user, {"publish_state": "returned", "private": True})
        model.repo.commit()
    except Exception:
        model.Session.rollback()
        raise
    after = workflow.open_version(pkg.id)
    state = "published" if after is None else after["state"]
    if opened["submitted_by"]:
        what = {"published": "已审核通过并发布", "returned": f"被退回:{reason}", "pending": "已通过本单位审核,等待其他单位会签"}
        notices.notify([opened["submitted_by"]], f"审核结果:{pkg.title}",
                       f"您提交的“{pkg.title}”{what.get(state, state)}(审核单位:{_org_title(office)})。",
                       _item_link(pkg))
    log.info("review of %s by %s (%s): %s -> %s", pkg.name, user.name, role, decision, state)
    return {"id": pkg.id, "name": pkg.name, "decision": decision, "state": state,
            "office": _org_title(office)}


def qingyang_item_review(context: dict, data_dict: dict) -> dict[str, Any]:
    """Approve or return a pending item or revision.

    :param id: item id or name
    :param decision: ``approve`` or ``return``
    :param reason: required to return; recorded either way

    Only an editor or admin of an office that reviews this list type for the
    item's jurisdiction (catalogs/review_routes.yaml), and not the submitter.
    Sysadmin rights do not make anyone a reviewer.
    """
    user = _user(context)
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
    user = _user(context)
    done, errors = [], {}
    for ref in _ids(data_dict):
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
    user = _user(context)
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
            "reason": row["reason"], "publisher_org": _org_title(row["owner_org"]),
            "submitter": row["submitter_name"], "submitted_at": row["submitted_at"].isoformat(),
            "age_working_days": age, "overdue": age > limit,
            "waiting_for": [_org_title(o) for o in waiting.values()],
            "mine": bool(set(waiting.values()) & offices) and row["submitted_by"] != user.id,
        })
    return {"limit_working_days": limit, "count": len(items), "items": items}


# ---------------------------------------------------------------- history and records
@tk.side_effect_free
def qingyang_item_history(context: dict, data_dict: dict) -> dict[str, Any]:
    """Every version of an item with its responsibility record and reviews.

    :param id: item id or name

    Versions still in review are listed for the department and its reviewers;
    people's names for government users.
    """
    pkg = _package(data_dict.get("id"))
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


@tk.side_effect_free
def qingyang_workflow_info(context: dict, data_dict: dict) -> dict[str, Any]:
    """The states, the declaration text, the review limit and who reviews each list type."""
    return {"states": workflow.state_labels(), "declaration": workflow.DECLARATION,
            "review_days": limits().review_days, "markers": list(markers.MARKERS),
            "routes": {t: {"offices": [workflow.role_label(r) for r in route["offices"]],
                           "article": route.get("article", "")} for t, route in workflow.routes().items()}}


# ---------------------------------------------------------------- dynamic adjustment
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
                        "list_label": lt.list_label, "publisher_org": _org_title(pkg.owner_org),
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
    user = _user(context)
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
    pkgs = [_package(ref) for ref in _ids(data_dict)]
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
        content = _show(pkg.id)
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
        found = marker_findings(pkg.type, new)
        if found:
            refused[pkg.name] = [f"“{pkg.title}”:{m}" for m in found]
            continue
        try:
            _validate(pkg, new, user)
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
    ctx = dict(_internal({}, user), defer_commit=True, return_id_only=True)
    try:
        for pkg, office, new in plans:
            model.Session.execute(version.update().where(
                version.c.package_id == pkg.id, version.c.state == "published").values(state="superseded"))
            vid = _insert_version(pkg, "adjust", "published", user, submitted_by=user.id,
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
                          "owner_org": _org_title(pkg.owner_org)})
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
                       _item_link(pkg))
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
            "office": _org_title(row["office_org"]), "items": json.loads(row["items"])}


@tk.side_effect_free
def qingyang_adjustment_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """调整公告: every adjustment, newest first (public).

    :param limit: how many (default 100)
    """
    tk.check_access("qingyang_adjustment_list", context, data_dict)
    rows = model.Session.execute(sa.select(adjustment).order_by(adjustment.c.at.desc())
                                 .limit(min(int(data_dict.get("limit") or 100), 1000))).mappings().all()
    return [adjustment_dict(dict(r)) for r in rows]


# ---------------------------------------------------------------- demo catalog
DEMO_REVIEWER = "示例数据(未经人工审核)"


def publish_demo_drafts(names: list[str]) -> int:
    """Demo catalog (and test fixtures) only: publish these drafts with a record
    saying nobody reviewed them. No action exposes this.

    Written in bulk (one transaction, then one index pass): the demo has
    thousands of items and no reviewers. Real items go through qingyang_item_submit.
    """
    from ckanext.qingyang.catalog import bulk

    P = model.Package
    pkgs = model.Session.query(P).filter(
        P.type.in_(listdef.TYPE_NAMES), P.state == "active", P.private.is_(True),
        P.extras["publish_state"].astext == "draft", P.name.in_(names)).all() if names else []
    if not pkgs:
        return 0
    now = workflow.now()
    routes: dict[tuple[str, str], dict[str, model.Group]] = {}
    versions_rows, review_rows = [], []
    for pkg in pkgs:
        key = (pkg.type, pkg.owner_org)
        if key not in routes:
            try:
                routes[key] = workflow.offices_for(pkg.type, pkg.owner_org)
            except tk.ValidationError:   # a jurisdiction without the office: no review rows
                routes[key] = {}
        vid = str(uuid.uuid4())
        versions_rows.append(dict(
            id=vid, package_id=pkg.id, package_type=pkg.type, owner_org=pkg.owner_org,
            number=workflow.next_number(pkg.id), change="create", state="published", title=pkg.title,
            created=now, submitter_name="示例数据加载程序", submitter_org=pkg.owner_org,
            declaration=workflow.DECLARATION, submitted_at=now, published_at=now, closed_at=now,
            offices=json.dumps({r: o.id for r, o in routes[key].items()})))
        review_rows.extend(dict(id=str(uuid.uuid4()), version_id=vid, package_id=pkg.id, reviewer_id="",
                                reviewer_name=DEMO_REVIEWER, office_org=o.id, role=r, decision="approve",
                                reason="演示数据,未经人工审核", at=now) for r, o in routes[key].items())
        pkg.private = False
        pkg.extras = dict(pkg.extras or {}, publish_state="published")
        pkg.metadata_modified = now
    model.Session.execute(version.insert(), versions_rows)
    if review_rows:          # an empty list would insert one row of defaults
        model.Session.execute(review.insert(), review_rows)
    for pkg in pkgs:       # as after any publication: shared resources' history takes their labels
        access.refresh_activity_labels(pkg.id)
    model.repo.commit()
    by_list: dict[tuple[str, str], list[str]] = {}
    for pkg in pkgs:
        by_list.setdefault((pkg.type, pkg.owner_org), []).append(pkg.name)
    for (type_name, org_id), touched in by_list.items():
        bulk.reindex_stale(listdef.load_type(type_name), model.Group.get(org_id), touched, names=touched)
    log.info("demo: %d drafts published without review", len(pkgs))
    return len(pkgs)


def get_actions() -> dict[str, Any]:
    return {
        "package_create": package_create, "package_update": package_update, "package_delete": package_delete,
        "dataset_purge": dataset_purge,
        "resource_create": resource_create, "resource_update": resource_update, "resource_delete": resource_delete,
        "bulk_update_public": bulk_update_public, "bulk_update_private": bulk_update_private,
        "bulk_update_delete": bulk_update_delete,
        "qingyang_item_submit": qingyang_item_submit, "qingyang_item_review": qingyang_item_review,
        "qingyang_item_review_bulk": qingyang_item_review_bulk, "qingyang_review_queue": qingyang_review_queue,
        "qingyang_item_history": qingyang_item_history, "qingyang_publication_list": qingyang_publication_list,
        "qingyang_workflow_info": qingyang_workflow_info, "qingyang_basis_search": qingyang_basis_search,
        "qingyang_adjust": qingyang_adjust, "qingyang_adjustment_list": qingyang_adjustment_list,
    }

"""The chained CKAN actions that keep every write to a list item inside the workflow.

A new item is a draft; an edit of a published item becomes a revision that waits for
review; published items cannot be deleted, purged, made private or have attachments
changed directly. Writes by the workflow itself carry item.FLAG and pass.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import bulk
from ckanext.qingyang.core import listdef
from ckanext.qingyang.publishing import item, workflow
from ckanext.qingyang.sharing import access

log = logging.getLogger(__name__)


@tk.chained_action
def package_create(up, context, data_dict):
    if (data_dict or {}).get("type", "dataset") == "dataset":
        # the generic type exists only for ckanext-dcat (schemas/dataset.yaml)
        raise tk.ValidationError({"type": ["请选择清单类型(如行政权力清单、监管信息共享目录),不能创建通用数据集"]})
    if not context.get(item.FLAG) and (data_dict or {}).get("type") in listdef.TYPE_NAMES:
        data_dict = dict(data_dict, private=True)   # a new item is a draft of its department
        data_dict.pop("publish_state", None)
    return up(context, data_dict)


SHOW_ONLY = ("publication", "qingyang_revision")   # added by package_show, never stored
RESTORE_REASON = "restore_reason"   # API callers' reason for a 恢复; recorded on the version, never stored


@tk.chained_action
def package_update(up, context, data_dict):
    data = {k: v for k, v in (data_dict or {}).items() if k not in SHOW_ONLY + (RESTORE_REASON,)}
    if context.get(item.FLAG):
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
                item.update_version(opened["id"], state="withdrawn", closed_at=workflow.now())
        # the caller's own context, flagged for this call only: package_update marks the item
        # changed in it, and the activity plugin reads that mark to write "changed package"
        context[item.FLAG] = True
        try:
            return up(context, data)
        finally:
            context.pop(item.FLAG, None)
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
    item.validate(pkg, data, user)
    opened = workflow.open_version(pkg.id)
    payload = json.dumps(data, ensure_ascii=False, default=str)
    if opened:
        item.update_version(opened["id"], data=payload, state="draft", submitted_at=None, submitted_by=None,
                            change=change, reason=reason)
    else:
        item.insert_version(pkg, change, "draft", user, data=payload, reason=reason)
    if not context.get("defer_commit"):
        model.repo.commit()
    log.info("revision of published %s stored as draft by %s", pkg.name, user.name)
    if context.get("return_id_only"):
        return pkg.id
    shown = tk.get_action("package_show")(dict(context), {"id": pkg.id})
    shown["qingyang_revision"] = {"state": "draft", "message": "已发布事项的修改已保存为待提交的修订;提交审核并通过后替换已发布版本"}
    return shown


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
    if not context.get(item.FLAG):
        _published_guard(_resource_package(data_dict), "添加")
    return up(context, data_dict)


# what the DataStore and uploads maintain on their own: not content a reviewer approves
SYSTEM_RESOURCE_KEYS = {"id", "package_id", "datastore_active", "datastore_contains_all_records_of_source",
                        "last_modified", "metadata_modified", "size", "mimetype", "hash", "position"}


@tk.chained_action
def resource_update(up, context, data_dict):
    if not context.get(item.FLAG) and _published(_resource_package(data_dict)):
        stored = tk.get_action("resource_show")({"ignore_auth": True, item.FLAG: True}, {"id": data_dict["id"]})
        changed = {k for k, v in data_dict.items() if stored.get(k) != v and not (v in ("", None) and k not in stored)}
        if changed <= SYSTEM_RESOURCE_KEYS:
            return up(dict(context, **{item.FLAG: True}), data_dict)
        _published_guard(_resource_package(data_dict), "修改")
    return up(context, data_dict)


@tk.chained_action
def resource_delete(up, context, data_dict):
    if not context.get(item.FLAG):
        _published_guard(_resource_package(data_dict), "删除")
    return up(context, data_dict)


@tk.chained_action
def package_delete(up, context, data_dict):
    pkg = model.Package.get((data_dict or {}).get("id") or "")
    if pkg is not None and workflow.is_list_item(pkg) and not context.get(item.FLAG):
        if workflow.item_state(pkg) in workflow.PUBLISHED:
            raise tk.ValidationError({"id": ["已发布的事项不能删除:需要停止发布的,由审核单位通过调整予以取消,取消记录公开保留"]})
        opened = workflow.open_version(pkg.id)
        if opened:
            item.update_version(opened["id"], state="withdrawn", closed_at=workflow.now())
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

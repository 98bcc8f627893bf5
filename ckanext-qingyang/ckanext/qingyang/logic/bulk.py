"""Write many items of one department's list in one request, index once.

The plain route (one package_create per HTTP call, each committing Solr) is
what makes CKAN imports slow. Here each changed item is written and committed
on its own (never half-written), unchanged items (same stored content) are not
touched at all, and Solr gets the written documents with one soft commit at the end.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins.toolkit as tk
from ckan.logic import package_show_default_and_custom_schemas

from ckanext.qingyang import listdef

log = logging.getLogger(__name__)
CORE_FIELDS = ("title", "notes")


@dataclass
class BulkReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    reindexed: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "cancelled": len(self.cancelled),
                "reindexed": len(self.reindexed), "errors": self.errors,
                "names": self.created + self.updated + self.unchanged}


def stored_form(lt: listdef.ListType, item: dict) -> dict[str, str]:
    """An item's values as CKAN stores them (validators keep lists as JSON)."""
    out = {}
    for col in lt.columns:
        value = item.get(col.field_name)
        if value is None:
            out[col.field_name] = ""
        elif isinstance(value, (list, dict)):
            out[col.field_name] = json.dumps(value, ensure_ascii=False)
        else:
            out[col.field_name] = str(value)
    return out


def package_stored_form(lt: listdef.ListType, pkg: model.Package) -> dict[str, str]:
    extras = pkg.extras or {}
    return {c.field_name: (getattr(pkg, c.field_name) if c.field_name in CORE_FIELDS else extras.get(c.field_name)) or ""
            for c in lt.columns}


def _error(row: int | None, lt: listdef.ListType, field_name: str, value: Any, message: str) -> dict:
    label = next((c.label for c in lt.fields if c.field_name == field_name), field_name)
    return {"row": row, "column": label, "field": field_name,
            "value": "" if value is None else str(value), "message": message}


def _validation_errors(row, lt, item, error: tk.ValidationError) -> list[dict]:
    out = []
    for field_name, messages in error.error_dict.items():
        text = "; ".join(map(str, messages)) if isinstance(messages, list) else str(messages)
        out.append(_error(row, lt, field_name, item.get(field_name), text))
    return out


def _cancel_fields(lt: listdef.ListType, reason: str) -> dict[str, str]:
    """What 'marked 已取消' means for a type: its own status, or the common one."""
    fields = {"list_status": "withdrawn", "list_status_reason": reason}
    names = {c.field_name for c in lt.fields}
    if "status" in names and lt.column("status").choice_for("cancelled"):
        fields["status"] = "cancelled"
        for reason_field in ("adjustment_reason", "adjustment_basis", "status_reason"):
            if reason_field in names:
                fields[reason_field] = reason
    return fields


def _write(user_ctx: dict, action: str, data: dict) -> dict | None:
    """Write and commit one item; return its validation errors instead, writing nothing.

    Each item is its own transaction: CKAN's actions roll the whole session back
    on a validation error, which would otherwise undo the items before it. The
    search index is updated once for all written items at the end.
    """
    try:
        tk.get_action(action)(dict(user_ctx, defer_commit=True, return_id_only=True), data)
    except tk.ValidationError as e:
        model.Session.rollback()
        return e.error_dict
    except Exception:
        model.Session.rollback()
        raise
    model.repo.commit()
    return None


def upsert(context: dict, lt: listdef.ListType, org: model.Group, rows: list[dict],
           row_numbers: list[int], full_list: bool = False, reason: str = "") -> BulkReport:
    report = BulkReport()
    user_ctx = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    existing = {p.name: p for p in model.Session.query(model.Package).filter(
        model.Package.type == lt.name, model.Package.owner_org == org.id,
        model.Package.state == "active")}
    seen: dict[str, int] = {}
    touched: list[str] = []

    for row, number in zip(rows, row_numbers):
        unknown = sorted(set(row) - set(lt.headers))
        if unknown:
            report.errors.append({"row": number, "column": unknown[0], "field": "", "value": "",
                                  "message": f"未知列:{'、'.join(unknown)}"})
            continue
        item, errors = listdef.row_to_item(lt, row, number)
        if errors:
            report.errors.extend(_error(e.row, lt, e.field_name, e.value, e.message) for e in errors)
            continue
        name = listdef.natural_name(lt, org.name, item)
        if name in seen:
            key = "、".join(lt.column(k).label for k in lt.natural_key if k != "owner_org")
            report.errors.append(_error(number, lt, lt.natural_key[-1], item.get(lt.natural_key[-1]),
                                        f"与第 {seen[name]} 行重复({key}相同)"))
            continue
        seen[name] = number
        data = dict(stored_form(lt, item), type=lt.name, owner_org=org.id, name=name,
                    list_status="current", list_status_reason="")
        current = existing.get(name) or model.Package.get(name)
        if current is not None and current.owner_org != org.id and current.state == "active":
            owner = model.Group.get(current.owner_org)
            report.errors.append(_error(number, lt, lt.natural_key[-1], item.get(lt.natural_key[-1]),
                                        f"该事项已由“{owner.title if owner else current.owner_org}”发布,不能重复发布"))
            continue
        if current is not None and current.state == "active" and \
                package_stored_form(lt, current) == stored_form(lt, item) and \
                (current.extras or {}).get("list_status", "current") == "current":
            report.unchanged.append(name)
            continue
        if current is not None and current.state == "active":
            data = dict(tk.get_action("package_show")(dict(user_ctx), {"id": current.id}), **data)
            action = "package_update"
        elif current is not None:
            data.update(id=current.id, state="active")
            action = "package_update"
        else:
            action = "package_create"
        errors = _write(user_ctx, action, data)
        if errors:
            report.errors.extend(_validation_errors(number, lt, item, tk.ValidationError(errors)))
            continue
        (report.updated if action == "package_update" and current.state == "active"
         else report.created).append(name)
        touched.append(name)

    if full_list:
        withdraw_missing(user_ctx, lt, existing, set(seen), reason, report, touched)

    model.repo.commit()
    report.reindexed = reindex_stale(lt, org, touched)
    return report


def withdraw_missing(user_ctx: dict, lt: listdef.ListType, existing: dict[str, model.Package],
                     keep: set[str], reason: str, report: BulkReport, touched: list[str]) -> None:
    """Mark 已取消 every current item whose name is not in `keep` (never delete)."""
    for name, pkg in existing.items():
        if name in keep or (pkg.extras or {}).get("list_status") == "withdrawn":
            continue
        data = dict(tk.get_action("package_show")(dict(user_ctx), {"id": pkg.id}),
                    **_cancel_fields(lt, reason or "本次提交的完整清单中没有该事项"))
        errors = _write(user_ctx, "package_update", data)
        if errors:
            report.errors.extend(_validation_errors(None, lt, data, tk.ValidationError(errors)))
            continue
        report.cancelled.append(name)
        touched.append(name)


def withdraw(context: dict, lt: listdef.ListType, org: model.Group, keep: set[str], reason: str) -> BulkReport:
    """The end of a full list sent in several parts: withdraw what no part named."""
    report = BulkReport()
    touched: list[str] = []
    user_ctx = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    existing = {p.name: p for p in model.Session.query(model.Package).filter(
        model.Package.type == lt.name, model.Package.owner_org == org.id, model.Package.state == "active")}
    withdraw_missing(user_ctx, lt, existing, keep, reason, report, touched)
    model.repo.commit()
    report.reindexed = reindex_stale(lt, org, touched)
    return report


def reindex_stale(lt: listdef.ListType, org: model.Group, touched: list[str]) -> list[str]:
    """Index the written items, and any whose Solr copy is older than the database.

    The second part makes a rerun after a crash between the database commit and
    the Solr commit converge: nothing else would notice the stale index.
    """
    rows = model.Session.query(model.Package.id, model.Package.name, model.Package.metadata_modified).filter(
        model.Package.type == lt.name, model.Package.owner_org == org.id, model.Package.state == "active").all()
    indexed = {}
    conn = search.make_connection()
    result = conn.search(q="*:*", fq=[f"+dataset_type:{lt.name}", f'+owner_org:"{org.id}"',
                                      f'+site_id:"{tk.config.get("ckan.site_id")}"'],
                         fl="id,metadata_modified", rows=max(len(rows), 1))
    for doc in result.docs:
        # pysolr may hand back a datetime or a string: compare to the second
        indexed[doc["id"]] = str(doc.get("metadata_modified", "")).replace(" ", "T")[:19]
    stale = {name for pid, name, modified in rows
             if indexed.get(pid) != modified.isoformat()[:19]}
    todo = sorted(stale | set(touched))
    if not todo:
        return []
    index = search.index_for("Package")
    ctx = {"ignore_auth": True}
    for name in todo:
        pkg = model.Package.get(name)
        if pkg is None:
            continue
        default, custom = package_show_default_and_custom_schemas(dict(ctx), pkg.id)
        index.update_dict(dict(default, with_custom_schema=custom), defer_commit=True)
    # a soft commit makes them searchable now; Solr's autoCommit makes them durable
    conn.commit(softCommit=True)
    return todo

"""Write many items of one department's list in one request, index once.

The plain route (one package_create per HTTP call, each committing Solr) is
what makes CKAN imports slow. Here:
- new items are validated with their scheming schema and saved with CKAN's own
  dictization, CREATE_CHUNK at a time in one transaction, each with its
  activity (history) written in that same transaction;
- changed items go through package_update one at a time (it keeps resources
  and other fields the list does not carry);
- unchanged items (same stored content) are not touched at all;
- Solr gets every written document, then one soft commit.
A transaction either holds whole items or nothing: never a half-written item.

A full list withdraws (已取消) only the items that none of its rows names. A row
refused for a bad cell still names its item (read from its key cells), so the
item keeps its published version; if some refused row's key cannot be read, the
file cannot say what it leaves out and nothing is withdrawn.
"""
from __future__ import annotations

import datetime
import json
import logging
from dataclasses import dataclass, field
from typing import Any

import ckan.lib.search as search
import ckan.model as model
import ckan.plugins as plugins
import ckan.plugins.toolkit as tk
from ckan.lib import plugins as lib_plugins
from ckan.lib.dictization import model_save
from ckan.logic import package_show_default_and_custom_schemas

from ckanext.qingyang.catalog import search as qy_search
from ckanext.qingyang.core import listdef

log = logging.getLogger(__name__)
CORE_FIELDS = ("title", "notes")
CREATE_CHUNK = 250   # new items per transaction
CHANGE_REASON = "qingyang_change_reason"   # context key: why a revision is proposed (e.g. a 恢复)
WITHDRAWN = "withdrawn"


@dataclass
class BulkReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)      # 恢复 proposed (a revision for review)
    reindexed: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    named: list[str] = field(default_factory=list)         # every item a row names, refused or not
    unidentified: list[int] = field(default_factory=list)  # refused rows whose item cannot be told

    def as_dict(self) -> dict[str, Any]:
        return {"created": len(self.created), "updated": len(self.updated),
                "unchanged": len(self.unchanged), "cancelled": len(self.cancelled),
                "restored": len(self.restored), "reindexed": len(self.reindexed), "errors": self.errors,
                "names": self.created + self.updated + self.unchanged + self.restored,
                "named": self.named, "unidentified": self.unidentified}


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


def current_items(lt: listdef.ListType, org_id: str, names: list[str] | None = None) -> dict[str, Any]:
    """Items by name, as the few columns unchanged-detection needs (no ORM objects).

    Without `names`: the active items of this department's list. With `names`:
    the packages of those names, whatever their owner or state.
    """
    P = model.Package
    q = model.Session.query(P.id, P.name, P.owner_org, P.state, P.title, P.notes, P.extras,
                            P.metadata_modified)
    if names is None:
        q = q.filter(P.type == lt.name, P.owner_org == org_id, P.state == "active")
    else:
        q = q.filter(P.name.in_(names))
    return {row.name: row for row in q}


def package_stored_form(lt: listdef.ListType, pkg: Any) -> dict[str, str]:
    extras = pkg.extras or {}
    return {c.field_name: (getattr(pkg, c.field_name) if c.field_name in CORE_FIELDS else extras.get(c.field_name))
            or c.default or "" for c in lt.columns}


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


def _write(user_ctx: dict, action: str, data: dict, reason: str | None = None,
           history: bool = False) -> dict | None:
    """Write and commit one item through its action; return its validation errors instead.

    Each such item is its own transaction: CKAN's actions roll the whole
    session back on a validation error, which would otherwise undo the items
    before it. `history`: the change is the item's own (not a revision kept
    for review), so its "changed package" activity goes in the same transaction
    (a deferred package_update leaves it to the caller).
    """
    try:
        ctx = dict(user_ctx, defer_commit=True, return_id_only=True)
        if reason:
            ctx[CHANGE_REASON] = reason
        pkg_id = tk.get_action(action)(ctx, data)
        if history:
            user, pkg = model.User.get(user_ctx["user"]), model.Package.get(pkg_id)
            _default, custom = package_show_default_and_custom_schemas(
                {"model": model, "session": model.Session, "user": user.name, "auth_user_obj": user}, pkg.id)
            record_activity(dict(ctx), user, pkg, custom, kind="changed")
    except tk.ValidationError as e:
        model.Session.rollback()
        return e.error_dict
    except Exception:
        model.Session.rollback()
        raise
    model.repo.commit()
    return None


@dataclass
class NewItem:
    row: int
    name: str
    item: dict
    data: dict


def _save_new(ctx: dict, package_plugin, schema: dict, data: dict) -> tuple[model.Package | None, dict]:
    """What package_create does to the database, without committing.

    Validation touches nothing, so an invalid item leaves the transaction as it was.
    """
    data, errors = lib_plugins.plugin_validate(package_plugin, ctx, data, schema, "package_create")
    if errors:
        return None, errors
    data["creator_user_id"] = ctx["auth_user_obj"].id
    pkg, _ = model_save.package_dict_save(data, ctx, False)
    model.Session.flush()
    data["id"] = pkg.id
    pkg.metadata_modified = datetime.datetime.utcnow()
    tk.get_action("package_owner_org_update")(
        dict(ctx, ignore_auth=True, defer_commit=True), {"id": pkg.id, "organization_id": pkg.owner_org})
    for plugin in plugins.PluginImplementations(plugins.IPackageController):
        plugin.create(pkg)
        plugin.after_dataset_create(ctx, data)
    return pkg, {}


def record_activity(ctx: dict, user: model.User, pkg: model.Package, shown: dict, kind: str = "new") -> None:
    """The activity the activity plugin would write after a commit, written inside the
    caller's transaction instead (from the dict we already have)."""
    tk.get_action("activity_create")(dict(ctx, ignore_auth=True, defer_commit=True), {
        "user_id": user.id, "object_id": pkg.id, "activity_type": f"{kind} package",
        "data": {"package": shown, "actor": user.name},
        "permission_labels": lib_plugins.get_permission_labels().get_dataset_labels(pkg)})


def create_many(user_ctx: dict, lt: listdef.ListType, new: list[NewItem],
                report: BulkReport) -> dict[str, dict]:
    """Create new items CREATE_CHUNK per transaction; return their index dicts by name."""
    user = model.User.get(user_ctx["user"])
    if user is None:
        raise tk.NotAuthorized("用户不存在")
    package_plugin = lib_plugins.lookup_package_plugin(lt.name)
    schema = package_plugin.create_package_schema()
    ctx = {"model": model, "session": model.Session, "user": user.name, "auth_user_obj": user}
    indexed: dict[str, dict] = {}
    for start in range(0, len(new), CREATE_CHUNK):
        chunk = new[start:start + CREATE_CHUNK]
        saved: list[tuple[NewItem, model.Package]] = []
        try:
            for one in chunk:
                pkg, errors = _save_new(dict(ctx), package_plugin, dict(schema), dict(one.data))
                if errors:
                    report.errors.extend(_validation_errors(one.row, lt, one.item, tk.ValidationError(errors)))
                else:
                    saved.append((one, pkg))
            dicts = {}
            for one, pkg in saved:
                default, custom = package_show_default_and_custom_schemas(dict(ctx), pkg.id)
                record_activity(ctx, user, pkg, custom)
                dicts[one.name] = dict(default, with_custom_schema=custom)
            model.repo.commit()
        except Exception:
            # e.g. a concurrent writer took a name: redo this chunk item by item
            model.Session.rollback()
            log.warning("bulk create of %d %s items failed; retrying one by one", len(chunk), lt.name,
                        exc_info=True)
            chunk_rows = {o.row for o in chunk}
            report.errors = [e for e in report.errors if e["row"] not in chunk_rows]
            for one in chunk:
                errors = _write(user_ctx, "package_create", one.data)
                if errors:
                    report.errors.extend(_validation_errors(one.row, lt, one.item, tk.ValidationError(errors)))
                else:
                    report.created.append(one.name)
            continue
        report.created.extend(dicts)
        indexed.update(dicts)
    return indexed


def upsert(context: dict, lt: listdef.ListType, org: model.Group, rows: list[dict],
           row_numbers: list[int], full_list: bool = False, reason: str = "", source: str = "") -> BulkReport:
    """Write the rows' items; `reason` words a full list's withdrawals, `source` (the
    submission the rows come from) words the reasons of 恢复 and of rows marked 已取消."""
    report = BulkReport()
    user_ctx = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    existing = current_items(lt, org.id)
    seen: dict[str, int] = {}
    touched: list[str] = []
    new: list[NewItem] = []

    def name_refused(row: dict, number: int) -> None:
        name = listdef.row_natural_name(lt, org.name, row)
        if name is None:
            report.unidentified.append(number)
        else:
            report.named.append(name)

    parsed = []
    for row, number in zip(rows, row_numbers):
        unknown = sorted(set(row) - set(lt.headers))
        if unknown:
            report.errors.append({"row": number, "column": unknown[0], "field": "", "value": "",
                                  "message": f"未知列:{'、'.join(unknown)}"})
            name_refused(row, number)
            continue
        item, errors = listdef.row_to_item(lt, row, number)
        if errors:
            report.errors.extend(_error(e.row, lt, e.field_name, e.value, e.message) for e in errors)
            name_refused(row, number)
            continue
        parsed.append((number, item, listdef.natural_name(lt, org.name, item)))
    # items of other departments or withdrawn ones, in one query rather than one per row
    others = current_items(lt, org.id, [name for _, _, name in parsed if name not in existing])

    for number, item, name in parsed:
        report.named.append(name)
        if name in seen:
            key = "、".join(lt.column(k).label for k in lt.natural_key if k != "owner_org")
            report.errors.append(_error(number, lt, lt.natural_key[-1], item.get(lt.natural_key[-1]),
                                        f"与第 {seen[name]} 行重复({key}相同)"))
            continue
        seen[name] = number
        data_form = stored_form(lt, item)
        data = dict(data_form, type=lt.name, owner_org=org.id, name=name)
        wanted = data_form["list_status"]
        current = existing.get(name) or others.get(name)
        if current is None:
            if wanted == WITHDRAWN:
                report.errors.append(_error(number, lt, "list_status", item.get("list_status"),
                                            "清单状态:平台上没有该事项,新事项不能标为“已取消”"))
                continue
            # a new item is a draft of its department until reviewed (publishing/guards.py)
            new.append(NewItem(number, name, item, dict(data, private=True, list_status_reason="")))
            continue
        if current.owner_org != org.id and current.state == "active":
            owner = model.Group.get(current.owner_org)
            report.errors.append(_error(number, lt, lt.natural_key[-1], item.get(lt.natural_key[-1]),
                                        f"该事项已由“{owner.title if owner else current.owner_org}”发布,不能重复发布"))
            continue
        stored_status = (current.extras or {}).get("list_status") or "current"
        if current.state == "active" and package_stored_form(lt, current) == data_form:
            report.unchanged.append(name)
            continue
        # a published item that was cancelled comes back only through a reviewed 恢复; a draft is just updated
        restoring = current.state == "active" and stored_status == WITHDRAWN and wanted != WITHDRAWN and \
            (current.extras or {}).get("publish_state") == "cancelled"
        if current.state == "active":
            data = dict(tk.get_action("package_show")(dict(user_ctx), {"id": current.id}), **data)
        else:
            data.update(id=current.id, state="active")
        if wanted != WITHDRAWN:
            data["list_status_reason"] = ""
        elif stored_status != WITHDRAWN:   # the row itself says 已取消: its other cells stay as written
            data["list_status_reason"] = f"{source or '本部门提交的清单'}将该事项标为“已取消”"
        why = f"{source or '本部门提交的清单'}重新列入该事项(清单状态:有效),申请恢复" if restoring else None
        # what publishing/guards.py writes directly (an unpublished item); a published one's
        # change waits as a revision, and its activity comes with the approval
        own = ((current.extras or {}).get("publish_state") or ("draft" if current.private else "published")) \
            in ("draft", "pending", "returned")
        errors = _write(user_ctx, "package_update", data, why, history=own)
        if errors:
            report.errors.extend(_validation_errors(number, lt, item, tk.ValidationError(errors)))
            continue
        if restoring:
            report.restored.append(name)
        elif wanted == WITHDRAWN and stored_status != WITHDRAWN:
            report.cancelled.append(name)
        else:
            (report.updated if current.state == "active" else report.created).append(name)
        touched.append(name)

    indexed = create_many(user_ctx, lt, new, report)
    touched.extend(n for n in report.created if n not in indexed and n not in touched)
    if full_list:
        withdraw_missing(user_ctx, lt, existing, set(report.named), reason, report, touched)

    model.repo.commit()
    report.errors.sort(key=lambda e: (e["row"] is None, e["row"] or 0))
    # full lists: the withdraw step checks the whole list; here, the items this request named
    report.reindexed = reindex_stale(lt, org, touched, indexed, None if full_list else list(seen))
    return report


def unidentified_message(rows: list[int]) -> str:
    shown = "、".join(map(str, rows[:10])) + ("等" if len(rows) > 10 else "")
    return (f"第 {shown} 行的事项无法识别(标识列为空或有误),无法判断本清单不再列出哪些事项,"
            "本次没有取消任何事项;请修正这些行后重新提交完整清单")


def withdraw_missing(user_ctx: dict, lt: listdef.ListType, existing: dict[str, Any],
                     keep: set[str], reason: str, report: BulkReport, touched: list[str]) -> None:
    """Mark 已取消 every current item whose name is not in `keep` (never delete).

    Nothing is withdrawn while a refused row's item is unknown: that row may name any of them.
    """
    if report.unidentified:
        report.errors.append({"row": None, "column": "", "field": "", "value": "", "blocking": False,
                              "message": unidentified_message(report.unidentified),
                              "message_en": f"rows {report.unidentified} name no readable item: nothing withdrawn"})
        log.warning("full list of %s: rows %s name no readable item; nothing withdrawn",
                    lt.name, report.unidentified)
        return
    for name, pkg in existing.items():
        if name in keep or (pkg.extras or {}).get("list_status") == WITHDRAWN:
            continue
        data = dict(tk.get_action("package_show")(dict(user_ctx), {"id": pkg.id}),
                    **_cancel_fields(lt, reason or "本次提交的完整清单中没有该事项"))
        errors = _write(user_ctx, "package_update", data)
        if errors:
            report.errors.extend(_validation_errors(None, lt, data, tk.ValidationError(errors)))
            continue
        report.cancelled.append(name)
        touched.append(name)


def withdraw(context: dict, lt: listdef.ListType, org: model.Group, keep: set[str], reason: str,
             unidentified: list[int] = ()) -> BulkReport:
    """The end of a full list sent in several parts: withdraw what no part named."""
    report = BulkReport(unidentified=list(unidentified))
    touched: list[str] = []
    user_ctx = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    existing = current_items(lt, org.id)
    withdraw_missing(user_ctx, lt, existing, keep, reason, report, touched)
    model.repo.commit()
    report.reindexed = reindex_stale(lt, org, touched)
    return report


def reindex_stale(lt: listdef.ListType, org: model.Group, touched: list[str],
                  prepared: dict[str, dict] | None = None, names: list[str] | None = None) -> list[str]:
    """Index the written items, and any whose Solr copy is older than the database.

    The second part makes a rerun after a crash between the database commit and
    the Solr commit converge: nothing else would notice the stale index. It looks
    at `names` when given (the items one request carried), else the whole list.
    """
    rows = current_items(lt, org.id, names).values()
    if names is not None:
        rows = [r for r in rows if r.owner_org == org.id and r.state == "active"]
    indexed = {}
    conn = search.make_connection()
    fq = [f"+dataset_type:{lt.name}", f'+owner_org:"{org.id}"', f'+site_id:"{tk.config.get("ckan.site_id")}"']
    if names is not None:
        fq.append("{!terms f=name}" + ",".join(r.name for r in rows))
    docs = conn.search(q="*:*", fq=fq, fl="id,metadata_modified", rows=len(rows)).docs if rows else []
    for doc in docs:
        # pysolr may hand back a datetime or a string: compare to the second
        indexed[doc["id"]] = str(doc.get("metadata_modified", "")).replace(" ", "T")[:19]
    stale = {r.name for r in rows if indexed.get(r.id) != r.metadata_modified.isoformat()[:19]}
    prepared = prepared or {}
    todo = sorted(stale | set(touched) | set(prepared))
    if not todo:
        return []
    index = search.index_for("Package")
    ctx = {"ignore_auth": True}
    with qy_search.org_facts_cached():
        for name in todo:
            pkg_dict = prepared.get(name)
            if pkg_dict is None:
                pkg = model.Package.get(name)
                if pkg is None:
                    continue
                default, custom = package_show_default_and_custom_schemas(dict(ctx), pkg.id)
                pkg_dict = dict(default, with_custom_schema=custom)
            index.update_dict(pkg_dict, defer_commit=True)
    # a soft commit makes them searchable now; Solr's autoCommit makes them durable
    conn.commit(softCommit=True)
    return todo

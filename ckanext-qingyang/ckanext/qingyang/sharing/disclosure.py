"""Actions around what leaves the platform: the data gate on the datastore,
household rows with their masked public copy, the access audit log, notices."""
from __future__ import annotations

import csv
import io
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang import listdef, masking, spreadsheets
from ckanext.qingyang.catalog import search
from ckanext.qingyang.sharing import access, audit, notices

log = logging.getLogger(__name__)

HOUSEHOLDS_PUBLIC = "households_public"
HOUSEHOLD_NAMES = {access.HOUSEHOLDS: "受益户明细", HOUSEHOLDS_PUBLIC: "受益户明细(公开,已脱敏)"}
MAX_ERRORS_SHOWN = 50


def resource_and_package(resource_id: str | None) -> tuple[dict, model.Package]:
    res = model.Resource.get(resource_id or "")
    if res is None or res.state != "active" or res.package is None:
        raise tk.ObjectNotFound(f"资源不存在: {resource_id}")
    return {"id": res.id, "resource_role": (res.extras or {}).get("resource_role")}, res.package


def _may_see(context: dict, pkg: model.Package) -> bool:
    try:
        tk.check_access("package_show", dict(context), {"id": pkg.id})
    except tk.NotAuthorized:
        return False
    return True


def gate(context: dict, resource_id: str | None, access_kind: str) -> access.Decision:
    """Refuse unless the caller may read the resource's data; record the access if it must be."""
    if context.get("ignore_auth"):
        return access.Decision(True)
    resource, pkg = resource_and_package(resource_id)
    user = access.context_user(context)
    if not _may_see(context, pkg):
        raise tk.ObjectNotFound("未找到")
    decision = access.data_decision(user, pkg, resource)
    if not decision.allowed:
        raise tk.NotAuthorized(decision.why_zh)
    if audit.needs_record(user, pkg, resource):
        audit.record(user, access_kind, [(pkg, resource, decision.grant_id)])
    return decision


# ---------------------------------------------------------------- metadata paths (chained)
def _not_found_when_denied(up_func, context, data_dict):
    """A denied item answers like a missing one: 'not authorized' would prove it exists."""
    try:
        return up_func(context, data_dict)
    except tk.NotAuthorized:
        raise tk.ObjectNotFound("未找到") from None


@tk.chained_action
@tk.side_effect_free
def package_show(up_func, context, data_dict):
    return _not_found_when_denied(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def resource_show(up_func, context, data_dict):
    return _not_found_when_denied(up_func, context, data_dict)


@tk.chained_action
@tk.side_effect_free
def package_activity_list(up_func, context, data_dict):
    return _not_found_when_denied(up_func, context, data_dict)


def hidden_package_ids(context: dict) -> set[str]:
    """Published items this caller may not know of (only shared resources can be hidden)."""
    from ckan.lib.plugins import get_permission_labels

    user = access.context_user(context)
    if context.get("ignore_auth") or access.user_facts(user).sysadmin:
        return set()
    labels = get_permission_labels()
    mine = set(labels.get_user_dataset_labels(user))
    rows = model.Session.query(model.Package).filter(
        model.Package.type == "shared_resource", model.Package.state == "active",
        model.Package.private.is_(False))
    return {p.id for p in rows if not mine.intersection(labels.get_dataset_labels(p))}


@tk.chained_action
@tk.side_effect_free
def package_list(up_func, context, data_dict):
    # CKAN lists every public item from the database, without permission labels
    names = up_func(context, data_dict)
    hidden = hidden_package_ids(context)
    if not hidden:
        return names
    hidden_names = {n for (n,) in model.Session.query(model.Package.name).filter(model.Package.id.in_(hidden))}
    return [n for n in names if n not in hidden_names]


@tk.chained_action
@tk.side_effect_free
def member_list(up_func, context, data_dict):
    members = up_func(context, data_dict)
    hidden = hidden_package_ids(context) if any(m[1] == "package" for m in members) else set()
    return [m for m in members if not (m[1] == "package" and m[0] in hidden)]


@tk.chained_action
@tk.side_effect_free
def resource_search(up_func, context, data_dict):
    """CKAN searches resources in the database without permission labels: leave out hidden
    items, and resources whose data the caller may not read when the query names their link."""
    query = data_dict.get("query")
    terms = [query] if isinstance(query, str) else list(query or [])
    by_url = any(str(t).split(":", 1)[0] == "url" for t in terms)
    offset, limit = int(data_dict.get("offset") or 0), data_dict.get("limit")
    result = up_func(context, {k: v for k, v in data_dict.items() if k not in ("offset", "limit")})
    hidden = hidden_package_ids(context)
    user = access.context_user(context)
    decisions: dict[str, access.Decision] = {}
    rows = []
    for res in result["results"]:
        if res["package_id"] in hidden:
            continue
        if res["package_id"] not in decisions:
            decisions[res["package_id"]] = access.data_decision(user, model.Package.get(res["package_id"]))
        if not decisions[res["package_id"]].allowed:
            if by_url:
                continue
            if res.get("url_type") not in ("upload", "datastore"):
                res["url"] = search.gated_url({"id": res["package_id"]}, res)
        rows.append(res)
    end = offset + int(limit) if limit not in (None, "") else None
    return {"count": len(rows), "results": rows[offset:end]}


# ---------------------------------------------------------------- datastore (chained)
@tk.chained_action
@tk.side_effect_free
def datastore_search(up_func, context, data_dict):
    gate(context, data_dict.get("resource_id") or data_dict.get("id"), "datastore")
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def datastore_info(up_func, context, data_dict):
    gate(context, data_dict.get("id") or data_dict.get("resource_id"), "datastore")
    return up_func(context, data_dict)


# ---------------------------------------------------------------- household rows
def parse_household_rows(lt: listdef.ListType, rows: list[dict[str, Any]], first_row: int = 2
                         ) -> tuple[list[dict], list[dict]]:
    """Rows keyed by Chinese header to checked records; errors name row and field."""
    by_header = {c.label: c for c in lt.household_columns}
    records, errors = [], []
    for n, row in enumerate(rows, start=first_row):
        record = {}
        for col in lt.household_columns:
            raw = row.get(col.label, row.get(col.field_name))
            try:
                value = listdef.parse_value(col, raw)
            except listdef.CellError as e:
                errors.append({"row": n, "field": col.field_name, "label": col.label, "message": str(e)})
                continue
            if value is None and col.required:
                errors.append({"row": n, "field": col.field_name, "label": col.label,
                               "message": f"{col.label}:必填,不能为空"})
            record[col.field_name] = value
        unknown = [h for h in row if h not in by_header and h not in {c.field_name for c in lt.household_columns}]
        if unknown:
            errors.append({"row": n, "field": "", "label": unknown[0], "message": f"“{unknown[0]}”不是受益户明细的列"})
        records.append(record)
    seen: dict[str, int] = {}
    for n, record in enumerate(records, start=first_row):
        key = record.get("id_number")
        if key and key in seen:
            errors.append({"row": n, "field": "id_number", "label": "身份证号码",
                           "message": f"身份证号码:与第 {seen[key]} 行重复"})
        elif key:
            seen[key] = n
    return records, errors


def _rows_from_upload(upload: Any) -> list[dict[str, Any]]:
    data = upload.read() if hasattr(upload, "read") else bytes(upload)
    name = (getattr(upload, "filename", "") or "").lower()
    if name.endswith(".xlsx") or data[:2] == b"PK":
        headers, values = spreadsheets.read_xlsx_rows(data)
        return [dict(zip(headers, v)) for v in values]
    text = data.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _household_resource(pkg: model.Package, role: str) -> model.Resource | None:
    for res in pkg.resources:
        if res.state == "active" and (res.extras or {}).get("resource_role") == role:
            return res
    return None


def _datastore_fields(lt: listdef.ListType, key: str | None) -> list[dict]:
    fields = [{"id": key, "type": "int", "info": {"label": "行号"}}] if key == "row_no" else []
    for col in lt.household_columns:
        fields.append({"id": col.field_name, "type": "text", "info": {"label": col.label}})
    return fields


def _replace_rows(context: dict, resource_id: str, lt: listdef.ListType, key: str, records: list[dict]) -> None:
    """Upsert every record, then delete the rows no longer present: the table is never empty midway."""
    site = {"ignore_auth": True, "user": context.get("user")}
    tk.get_action("datastore_create")(site, {"resource_id": resource_id, "force": True, "primary_key": [key],
                                             "fields": _datastore_fields(lt, key)})
    tk.get_action("datastore_upsert")(site, {"resource_id": resource_id, "force": True, "method": "upsert",
                                             "records": records})
    keep = {str(r[key]) for r in records}
    old = tk.get_action("datastore_search")(site, {"resource_id": resource_id, "fields": [key], "limit": 100000})
    for r in old["records"]:
        if str(r[key]) not in keep:
            tk.get_action("datastore_delete")(site, {"resource_id": resource_id, "force": True,
                                                     "filters": {key: r[key]}})


def qingyang_households_upload(context: dict, data_dict: dict) -> dict[str, Any]:
    """Load a poverty project's 受益户明细 and write its masked public copy.

    :param id: the poverty_project item's id or name
    :param rows: list of dicts keyed by the Chinese column headers (or field names);
        or ``upload``: a CSV (UTF-8) or XLSX file with those headers

    The full rows go to a datastore table only the owner and the 扶贫办 of the
    project's jurisdiction and of the city can read; the public gets a second
    table where names, ID numbers and phone numbers are masked. Nothing is
    written when any row has an error.
    """
    pkg = model.Package.get(data_dict.get("id") or "")
    if pkg is None or pkg.state != "active" or pkg.type != "poverty_project":
        raise tk.ObjectNotFound(f"扶贫项目不存在: {data_dict.get('id')}")
    tk.check_access("package_update", context, {"id": pkg.id})
    lt = listdef.load_type("poverty_project")
    rows = data_dict.get("rows")
    if rows is None and data_dict.get("upload") is not None:
        rows = _rows_from_upload(data_dict["upload"])
    if not isinstance(rows, list) or not rows or not all(isinstance(r, dict) for r in rows):
        raise tk.ValidationError({"rows": ["受益户明细:请提供至少一行(以中文列名为键),或上传 CSV/XLSX 文件"]})
    records, errors = parse_household_rows(lt, rows)
    if errors:
        log.warning("households upload for %s refused: %d errors; first: row %s field %s",
                    pkg.name, len(errors), errors[0]["row"], errors[0]["field"] or errors[0]["label"])
        shown = [f"第 {e['row']} 行 {e['message']}" for e in errors[:MAX_ERRORS_SHOWN]]
        raise tk.ValidationError({"rows": shown, "errors": errors[:MAX_ERRORS_SHOWN]})
    masks = {c.field_name: c.mask for c in lt.household_columns if c.mask}
    public = [dict(r, row_no=n) for n, r in enumerate(masking.mask_rows(records, masks), start=1)]
    written = {}
    for role, key, recs in ((access.HOUSEHOLDS, "id_number", records), (HOUSEHOLDS_PUBLIC, "row_no", public)):
        res = _household_resource(pkg, role)
        if res is None:
            # household rows are data tables, loaded outside list review (see README)
            res_dict = tk.get_action("resource_create")(dict(context, qingyang_workflow=True), {
                "package_id": pkg.id, "name": HOUSEHOLD_NAMES[role], "resource_role": role,
                "url_type": "datastore", "url": "_datastore_only_resource", "format": "CSV"})
            res_id = res_dict["id"]
        else:
            res_id = res.id
        _replace_rows(context, res_id, lt, key, recs)
        written[role] = res_id
    log.info("households for %s: %d rows loaded", pkg.name, len(records))
    return {"households": len(records), "resource_id": written[access.HOUSEHOLDS],
            "public_resource_id": written[HOUSEHOLDS_PUBLIC]}


# ---------------------------------------------------------------- audit log
def _owned_org_ids(context: dict, org_ref: str | None) -> list[str] | None:
    """Departments whose log the caller may read; None means all (platform admin)."""
    facts = access.user_facts(access.context_user(context))
    if org_ref:
        org = model.Group.get(org_ref)
        if org is None:
            raise tk.ObjectNotFound(f"部门不存在: {org_ref}")
        if not (facts.sysadmin or facts.platform_admin or facts.member_of(org.id)):
            raise tk.NotAuthorized("只能查看本部门信息资源的访问记录")
        return [org.id]
    if facts.sysadmin or facts.platform_admin:
        return None
    raise tk.NotAuthorized("请指定本部门(organization)")


@tk.side_effect_free
def qingyang_audit_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Access audit rows, newest first.

    :param organization: the owning department (required unless platform admin)
    :param package_id: only accesses to this item
    :param user: only this user's accesses (user name)
    :param since: from this time (ISO 8601)
    :param until: before this time (ISO 8601)
    :param limit: at most this many rows (default 500, at most 5000)
    :param offset: skip this many rows
    """
    tk.check_access("qingyang_audit_list", context, data_dict)
    org_ids = _owned_org_ids(context, data_dict.get("organization"))
    package_id = None
    if data_dict.get("package_id"):
        pkg = model.Package.get(data_dict["package_id"])
        package_id = pkg.id if pkg else data_dict["package_id"]
    limit = min(int(data_dict.get("limit") or 500), 5000)
    return audit.query(org_ids, package_id, data_dict.get("user"), data_dict.get("since"),
                       data_dict.get("until"), limit, int(data_dict.get("offset") or 0))


@tk.side_effect_free
def qingyang_audit_verify(context: dict, data_dict: dict) -> dict[str, Any]:
    """Check the audit log's hash chain: the first row that no longer matches, if any."""
    tk.check_access("qingyang_audit_verify", context, data_dict)
    n, broken = audit.verify()
    return {"rows": n, "intact": broken is None, "first_broken_seq": broken}


# ---------------------------------------------------------------- notices
@tk.side_effect_free
def qingyang_notice_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """The caller's notices, newest first.

    :param unread: true for unread ones only
    """
    tk.check_access("qingyang_notice_list", context, data_dict)
    return notices.for_user(access.context_user(context).id, tk.asbool(data_dict.get("unread")))


def qingyang_notice_read(context: dict, data_dict: dict) -> dict[str, int]:
    """Mark one notice (id) or all of the caller's notices as read."""
    tk.check_access("qingyang_notice_list", context, data_dict)
    return {"marked": notices.mark_read(access.context_user(context).id, data_dict.get("id"))}


def get_actions() -> dict[str, Any]:
    return {f.__name__: f for f in (
        package_show, resource_show, package_activity_list, package_list, member_list, resource_search,
        datastore_search, datastore_info, qingyang_households_upload,
        qingyang_audit_list, qingyang_audit_verify, qingyang_notice_list, qingyang_notice_read)}

"""Household rows (受益户明细) of poverty projects: the full rows for the owner and the 扶贫办
of the jurisdiction and the city, a masked public copy for everyone else."""
from __future__ import annotations

import csv
import io
import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import listdef, masking, spreadsheets
from ckanext.qingyang.sharing import access

log = logging.getLogger(__name__)

HOUSEHOLDS_PUBLIC = "households_public"
HOUSEHOLD_NAMES = {access.HOUSEHOLDS: "受益户明细", HOUSEHOLDS_PUBLIC: "受益户明细(公开,已脱敏)"}
MAX_ERRORS_SHOWN = 50


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


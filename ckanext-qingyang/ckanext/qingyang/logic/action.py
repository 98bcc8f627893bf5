"""Actions (IActions): lists as a whole, for agencies and departments."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang import listdef

log = logging.getLogger(__name__)
PAGE = 1000


def _list_type(data_dict: dict) -> listdef.ListType:
    type_name = data_dict.get("type")
    if type_name not in listdef.TYPE_NAMES:
        raise tk.ValidationError({"type": [f"清单类型无效,应为 {'、'.join(listdef.TYPE_NAMES)} 之一"]})
    return listdef.load_type(type_name)


def _organization(data_dict: dict) -> model.Group:
    org = model.Group.get(data_dict.get("organization") or "")
    if org is None or not org.is_organization or org.state != "active":
        raise tk.ObjectNotFound(f"部门不存在: {data_dict.get('organization')}")
    return org


def list_items(context: dict, lt: listdef.ListType, org: model.Group, year: str | None = None,
               children: bool = False) -> list[dict]:
    """Every item of one list the caller may see, in title order."""
    fq = [f"+dataset_type:{lt.name}"]
    fq.append(f'+qy_org_path:"{org.name}"' if children else f'+owner_org:"{org.id}"')
    if year and lt.year_field:
        fq.append(f'+list_year:"{year}"')
    items: list[dict] = []
    start = 0
    while True:
        result = tk.get_action("package_search")(
            {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")},
            {"fq": " ".join(fq), "rows": PAGE, "start": start, "sort": "title_string asc, name asc",
             "include_private": True})
        items.extend(result["results"])
        start += PAGE
        if start >= result["count"]:
            return items


@tk.side_effect_free
def qingyang_list_export(context: dict, data_dict: dict) -> dict[str, Any]:
    """A department's list (or a jurisdiction's, with children) as rows with Chinese headers.

    :param organization: organization name or id
    :param type: list type, e.g. ``power_item``
    :param year: optional year for yearly lists
    :param children: include every organization below (default false)
    """
    tk.check_access("qingyang_list_export", context, data_dict)
    lt = _list_type(data_dict)
    org = _organization(data_dict)
    children = tk.asbool(data_dict.get("children", False))
    items = list_items(context, lt, org, data_dict.get("year"), children)
    rows = [listdef.item_to_row(lt, item) for item in items]
    if children:
        for row, item in zip(rows, items):
            row["发布部门"] = (item.get("organization") or {}).get("title", "")
    return {"type": lt.name, "list": lt.list_label, "organization": org.name,
            "headers": lt.headers + (["发布部门"] if children else []),
            "year": data_dict.get("year"), "children": children, "count": len(rows), "rows": rows}


def qingyang_list_import(context: dict, data_dict: dict) -> dict[str, Any]:
    """Create or update a department's items from spreadsheet rows.

    :param organization: organization name or id
    :param type: list type
    :param rows: list of dicts keyed by the template's Chinese headers
    :param first_row_number: row number of the first row in the file (default 2)

    Rows with errors are not written; the report names row, column and reason.
    """
    lt = _list_type(data_dict)
    org = _organization(data_dict)
    tk.check_access("qingyang_list_import", context, {"organization": org.id, "type": lt.name})
    rows = data_dict.get("rows")
    if not isinstance(rows, list):
        raise tk.ValidationError({"rows": ["rows 应为行的列表(每行是以中文列名为键的对象)"]})
    first = int(data_dict.get("first_row_number", 2))
    report: dict[str, Any] = {"created": [], "updated": [], "unchanged": [], "errors": []}
    for offset, row in enumerate(rows):
        number = first + offset
        unknown = sorted(set(row) - set(lt.headers))
        if unknown:
            report["errors"].append({"row": number, "column": unknown[0], "value": "",
                                     "message": f"未知列:{'、'.join(unknown)}"})
            continue
        item, errors = listdef.row_to_item(lt, row, number)
        if errors:
            report["errors"].extend({"row": e.row, "column": e.label, "field": e.field_name,
                                     "value": "" if e.value is None else str(e.value),
                                     "message": e.message} for e in errors)
            continue
        outcome, name, err = _upsert(context, lt, org, item)
        if err:
            report["errors"].extend({"row": number, "column": lt.column(f).label if f in {c.field_name for c in lt.fields} else f,
                                     "field": f, "value": str(item.get(f, "")), "message": m}
                                    for f, m in err)
        else:
            report[outcome].append(name)
    return {k: (v if k == "errors" else len(v)) for k, v in report.items()} | {"names": report["created"] + report["updated"]}


def _upsert(context: dict, lt: listdef.ListType, org: model.Group, item: dict):
    name = listdef.natural_name(lt, org.name, item)
    # every column is sent, so a cell emptied in the new file is emptied here too
    data = {c.field_name: ("" if item.get(c.field_name) is None else item[c.field_name]) for c in lt.columns}
    data.update({"type": lt.name, "owner_org": org.id, "name": name})
    existing = model.Package.get(name)
    ctx = {"user": context.get("user"), "auth_user_obj": context.get("auth_user_obj")}
    try:
        if existing is None or existing.state == "deleted":
            tk.get_action("package_create")(ctx, data)
            return "created", name, None
        current = tk.get_action("package_show")(dict(ctx), {"id": existing.id})
        checked, _ = listdef.check_item(lt, {c.field_name: current.get(c.field_name) for c in lt.columns})
        if listdef.content_hash(lt, checked) == listdef.content_hash(lt, item):
            return "unchanged", name, None
        tk.get_action("package_update")(ctx, dict(current, **data, resources=current.get("resources", [])))
        return "updated", name, None
    except tk.ValidationError as e:
        return None, name, [(f, "; ".join(map(str, m)) if isinstance(m, list) else str(m))
                            for f, m in e.error_dict.items()]


def get_actions():
    return {
        "qingyang_list_export": qingyang_list_export,
        "qingyang_list_import": qingyang_list_import,
    }

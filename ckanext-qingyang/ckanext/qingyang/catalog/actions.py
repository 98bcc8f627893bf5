"""Actions (IActions): lists as a whole, for agencies and departments."""
from __future__ import annotations

import logging
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import bulk, submissions, timeliness
from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.timeliness import LABELS as RATING_LABELS
from ckanext.qingyang.sharing import access, audit

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
               children: bool = False, drafts: bool = False) -> list[dict]:
    """Every published item of one list the caller may see (with `drafts`, its unpublished ones too)."""
    fq = [f"+dataset_type:{lt.name}"]
    if not drafts:
        fq.append("+capacity:public")
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
    :param drafts: also the unpublished items (草稿/待审核/已退回) the caller may
        see, i.e. its own department's (default false: the published list)
    """
    tk.check_access("qingyang_list_export", context, data_dict)
    lt = _list_type(data_dict)
    org = _organization(data_dict)
    children = tk.asbool(data_dict.get("children", False))
    items = list_items(context, lt, org, data_dict.get("year"), children, tk.asbool(data_dict.get("drafts", False)))
    user = access.context_user(context)
    restricted = [(i, None, None) for i in items if access.restricted_metadata(i) and audit.needs_record(user, i)]
    if restricted:
        audit.record(user, "export", restricted)
    rows = [listdef.item_to_row(lt, item) for item in items]
    if children:
        for row, item in zip(rows, items):
            row["发布部门"] = (item.get("organization") or {}).get("title", "")
    return {"type": lt.name, "list": lt.list_label, "organization": org.name,
            "headers": lt.headers + (["发布部门"] if children else []),
            "year": data_dict.get("year"), "children": children, "count": len(rows), "rows": rows}


def qingyang_list_import(context: dict, data_dict: dict) -> dict[str, Any]:
    """Create or update a department's items from spreadsheet rows, in one request.

    :param organization: organization name or id
    :param type: list type
    :param rows: list of dicts keyed by the template's Chinese headers
    :param row_numbers: the file row number of each row (default: 2, 3, ...)
    :param full_list: the rows are the department's whole list: items missing
        from them are marked 已取消 (never deleted). Default false.
    :param reason: why missing items are withdrawn (e.g. the submission), with full_list
    :param source: the submission the rows come from, quoted in the reasons of
        restorations (恢复) and of rows whose 清单状态 says 已取消

    Rows with errors are not written; every other row is. The report names
    each refused row's number, column (Chinese header) and reason. A row that
    names a cancelled item with 清单状态 有效 proposes its restoration (恢复), a
    revision that goes through review. ``named`` lists every item the rows name,
    refused or not; ``unidentified`` the refused rows whose item cannot be read.
    A full list withdraws only items no row names, and nothing while a row is
    unidentified.
    """
    lt = _list_type(data_dict)
    org = _organization(data_dict)
    tk.check_access("qingyang_list_import", context, {"organization": org.id, "type": lt.name})
    rows = data_dict.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise tk.ValidationError({"rows": ["rows 应为行的列表(每行是以中文列名为键的对象)"]})
    numbers = data_dict.get("row_numbers") or list(range(int(data_dict.get("first_row_number", 2)),
                                                         int(data_dict.get("first_row_number", 2)) + len(rows)))
    if len(numbers) != len(rows):
        raise tk.ValidationError({"row_numbers": ["row_numbers 与 rows 的数量不一致"]})
    report = bulk.upsert(context, lt, org, rows, [int(n) for n in numbers],
                         full_list=tk.asbool(data_dict.get("full_list", False)),
                         reason=str(data_dict.get("reason") or ""), source=str(data_dict.get("source") or ""))
    log.info("list import %s/%s: %d created, %d updated, %d unchanged, %d cancelled, %d restorations, %d errors",
             org.name, lt.name, len(report.created), len(report.updated), len(report.unchanged),
             len(report.cancelled), len(report.restored), len(report.errors))
    return report.as_dict()


def qingyang_list_withdraw(context: dict, data_dict: dict) -> dict[str, Any]:
    """Finish a full list sent in parts: mark 已取消 every item not in keep_names.

    :param organization: organization name or id
    :param type: list type
    :param keep_names: every item the list names: the `named` of every part's
        qingyang_list_import, and the items of rows refused before loading
    :param reason: why the missing items are withdrawn (e.g. the submission)
    :param unidentified_rows: row numbers of refused rows whose item could not be
        read; when any is given, nothing is withdrawn (the report says why)
    """
    lt = _list_type(data_dict)
    org = _organization(data_dict)
    tk.check_access("qingyang_list_import", context, {"organization": org.id, "type": lt.name})
    keep = data_dict.get("keep_names")
    if not isinstance(keep, list):
        raise tk.ValidationError({"keep_names": ["keep_names 应为事项标识(name)的列表"]})
    unidentified = data_dict.get("unidentified_rows") or []
    if not isinstance(unidentified, list):
        raise tk.ValidationError({"unidentified_rows": ["unidentified_rows 应为行号的列表"]})
    report = bulk.withdraw(context, lt, org, set(map(str, keep)), str(data_dict.get("reason") or ""),
                           [int(n) for n in unidentified])
    return report.as_dict()


def qingyang_submission_record(context: dict, data_dict: dict) -> dict[str, Any]:
    """Record one processed submission (the pipeline calls this after each file).

    :param organization: organization name or id
    :param report: the pipeline's report (outcome, counts, problems with row/column/reason)
    """
    org = _organization(data_dict)
    tk.check_access("qingyang_submission_record", context, {"organization": org.id})
    report = data_dict.get("report")
    if not isinstance(report, dict) or not {"type_name", "run_id", "outcome"} <= set(report):
        raise tk.ValidationError({"report": ["report 需包含 type_name、run_id、outcome"]})
    saved = submissions.record(context, org, report)
    return {"id": saved["id"], "key": saved["key"]}


@tk.side_effect_free
def qingyang_submission_list(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """A department's submissions, newest first (its members and sysadmins).

    :param organization: organization name or id
    """
    org = _organization(data_dict)
    tk.check_access("qingyang_submission_list", context, {"organization": org.id})
    return submissions.for_organization(org)


@tk.side_effect_free
def qingyang_timeliness_facts(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """Per department and list type: how many current items, newest 最后确认日期."""
    tk.check_access("qingyang_timeliness_facts", context, data_dict)
    return timeliness.list_facts()


def qingyang_timeliness_store(context: dict, data_dict: dict) -> dict[str, Any]:
    """Store the daily ratings (fresh/due/overdue/delinquent) of every list.

    :param ratings: list of {organization, type_name, items, last_confirmed, cycle_days, rating, rated_on}
    """
    tk.check_access("qingyang_timeliness_store", context, data_dict)
    ratings = data_dict.get("ratings")
    if not isinstance(ratings, list) or any(r.get("rating") not in RATING_LABELS for r in ratings):
        raise tk.ValidationError({"ratings": ["ratings 应为列表,rating 取 fresh/due/overdue/delinquent"]})
    return {"stored": timeliness.store(context, ratings)}


@tk.side_effect_free
def qingyang_timeliness_late(context: dict, data_dict: dict) -> list[dict[str, Any]]:
    """督查: every overdue or delinquent list, worst first (platform admin)."""
    tk.check_access("qingyang_timeliness_late", context, data_dict)
    return timeliness.late_lists()

"""Every path to an item and its data passes the access rules (access.py) here: the data
gate (downloads, DataStore queries and dumps), links to outside data, and the metadata
paths CKAN answers without permission labels (chained actions)."""
from __future__ import annotations

import json
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.sharing import access, audit


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


def check(context: dict, resource_id: str | None, access_kind: str) -> access.Decision:
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
                res["url"] = gated_url({"id": res["package_id"]}, res)
        rows.append(res)
    end = offset + int(limit) if limit not in (None, "") else None
    return {"count": len(rows), "results": rows[offset:end]}


# ---------------------------------------------------------------- datastore (chained)
@tk.chained_action
@tk.side_effect_free
def datastore_search(up_func, context, data_dict):
    check(context, data_dict.get("resource_id") or data_dict.get("id"), "datastore")
    return up_func(context, data_dict)


@tk.chained_action
@tk.side_effect_free
def datastore_info(up_func, context, data_dict):
    check(context, data_dict.get("id") or data_dict.get("resource_id"), "datastore")
    return up_func(context, data_dict)



def on_show(pkg_dict: dict[str, Any], user: model.User | None) -> dict[str, Any]:
    """package_show of a shared resource: real links or gated ones, and the audit row."""
    if access.item_visibility(pkg_dict) is not None:
        decision = access.data_decision(user, pkg_dict)
        if decision.allowed:
            restore_resource_urls(pkg_dict)  # the search-index copy holds gated links
        else:
            gate_resource_urls(pkg_dict)
        if audit.needs_record(user, pkg_dict):
            audit.record(user, "show", [(pkg_dict, None, decision.grant_id)])
    return pkg_dict


# ---------------------------------------------------------------- links to outside data
def gated_url(pkg: dict[str, Any], res: dict[str, Any]) -> str:
    site = (tk.config.get("ckan.site_url") or "").rstrip("/")
    return f"{site}/dataset/{pkg.get('id')}/resource/{res.get('id')}/download"


def gate_resource_urls(pkg: dict[str, Any]) -> dict[str, Any]:
    """Links to outside data become the gated download route (which redirects only for
    those allowed); uploads and datastore tables are served by gated routes already."""
    for res in pkg.get("resources") or ():
        if res.get("url_type") not in ("upload", "datastore"):
            res["url"] = gated_url(pkg, res)
    return pkg


def restore_resource_urls(pkg: dict[str, Any]) -> dict[str, Any]:
    """The real links, from the database, for those allowed the data."""
    links = [r for r in pkg.get("resources") or () if r.get("url_type") not in ("upload", "datastore")]
    if links:
        urls = dict(model.Session.query(model.Resource.id, model.Resource.url).filter(
            model.Resource.id.in_([r["id"] for r in links])))
        for r in links:
            r["url"] = urls.get(r["id"], r.get("url"))
    return pkg


def hide_data_links(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Every stored and searchable copy in the index gets gated links (package_search's
    `fl` can return the stored copies as they are)."""
    vis = access.item_visibility(pkg_dict)
    if vis is None or vis.data_public:
        return pkg_dict
    for key in ("data_dict", "validated_data_dict"):
        if isinstance(pkg_dict.get(key), str):
            pkg_dict[key] = json.dumps(gate_resource_urls(json.loads(pkg_dict[key])))
    stored = json.loads(pkg_dict["validated_data_dict"]) if pkg_dict.get("validated_data_dict") else pkg_dict
    pkg_dict["res_url"] = [r.get("url") for r in stored.get("resources") or ()]
    return pkg_dict

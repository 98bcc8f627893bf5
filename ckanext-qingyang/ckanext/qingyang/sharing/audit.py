"""The access audit log (第十八、十九条: users of shared data answer for its use).

Every access to data that is not open, by anyone outside the owning
department, becomes one row of qingyang_access_log. Rows are written in their
own short transaction, so an access is recorded even when the request that
made it later fails. The table is append-only in the database itself (see the
migration); this module only inserts and reads, and its actions list the rows
and verify the hash chain.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
from typing import Any, Iterable

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa

from ckanext.qingyang.sharing import access
from ckanext.qingyang.model import access_log

log = logging.getLogger(__name__)

ACCESS_LABELS = {"search": "检索命中", "show": "查看元数据", "download": "下载数据", "datastore": "数据查询",
                 "export": "导出清单"}


def _client_addr() -> str:
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover
        return ""
    if not has_request_context():
        return "(命令行/后台任务)"
    addr = request.remote_addr or ""
    forwarded = request.headers.get("X-Forwarded-For")
    return f"{addr} (X-Forwarded-For: {forwarded})" if forwarded else addr


def _exempt(user: model.User | None) -> bool:
    if user is None:
        return False
    names = tk.config.get("ckanext.qingyang.audit_exempt_users") or []
    if isinstance(names, str):
        names = names.split()
    return user.name in names or user.name == tk.config.get("ckan.site_id")


def needs_record(user: model.User | None, pkg: Any, resource: dict | None = None) -> bool:
    """Not open data, and the user is outside the owning department."""
    facts = access.user_facts(user)
    if facts.member_of(access._get(pkg, "owner_org")) or _exempt(user):
        return False
    if resource is not None and resource.get("resource_role") == access.HOUSEHOLDS:
        return True
    vis = access.item_visibility(pkg)
    return vis is not None and not vis.data_public


def record(user: model.User | None, access_kind: str, items: Iterable[tuple[Any, dict | None, str | None]]) -> int:
    """Write one row per (item, resource, grant id) the user reached; the same
    access to the same thing is written once per request."""
    seen = access._request_cache()
    facts = access.user_facts(user)
    rows = []
    for pkg, resource, grant_id in items:
        key = ("audited", access_kind, access._get(pkg, "id"), (resource or {}).get("id"))
        if seen is not None:
            if key in seen:
                continue
            seen[key] = True
        rows.append({
            "user_id": user.id if user else None, "user_name": user.name if user else "(匿名)",
            "user_orgs": " ".join(facts.org_names), "access": access_kind, "package_id": access._get(pkg, "id"),
            "package_title": access._get(pkg, "title"), "resource_id": (resource or {}).get("id"),
            "owner_org": access._get(pkg, "owner_org"), "grant_id": grant_id, "client_addr": _client_addr()})
    if not rows:
        return 0
    # its own transaction: the request's may roll back, the record must not
    with model.meta.engine.begin() as conn:
        conn.execute(access_log.insert(), rows)
    log.info("audit: %s %s %d item(s)", rows[0]["user_name"], access_kind, len(rows))
    return len(rows)


def record_search(search_results: dict[str, Any]) -> None:
    """One row per restricted item a web search showed; command-line and background
    searches are not accesses."""
    from flask import has_request_context

    if not has_request_context():
        return
    user = tk.current_user
    hits = [(r, None, None) for r in search_results.get("results") or ()
            if access.restricted_metadata(r) and needs_record(user, r)]
    if hits:
        record(user, "search", hits)


def query(owner_org_ids: Iterable[str] | None, package_id: str | None = None, user_name: str | None = None,
          since: str | None = None, until: str | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
    """Rows, newest first. owner_org_ids None means every department (platform admin)."""
    t = access_log.c
    q = sa.select(access_log).order_by(t.seq.desc()).limit(limit).offset(offset)
    if owner_org_ids is not None:
        q = q.where(t.owner_org.in_(list(owner_org_ids)))
    if package_id:
        q = q.where(t.package_id == package_id)
    if user_name:
        q = q.where(t.user_name == user_name)
    if since:
        q = q.where(t.at >= since)
    if until:
        q = q.where(t.at < until)
    return [_row(r) for r in model.Session.execute(q).mappings()]


def _row(r: Any) -> dict:
    out = dict(r)
    out["at"] = out["at"].isoformat()
    out["access_label"] = ACCESS_LABELS.get(out["access"], out["access"])
    return out


def chain_hash(row: dict, prev_hash: str) -> str:
    """The hash the database trigger gives a row (see the migration)."""
    at = row["at"]
    if not isinstance(at, str):
        at = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    parts = [str(row["seq"]), prev_hash, at] + [row.get(k) for k in (
        "user_id", "user_name", "user_orgs", "access", "package_id", "package_title", "resource_id",
        "owner_org", "grant_id", "client_addr")]
    # concat_ws skips NULLs
    return hashlib.sha256("\x1f".join(p for p in parts if p is not None).encode("utf-8")).hexdigest()


def verify() -> tuple[int, int | None]:
    """Walk the chain; (rows checked, seq of the first row that does not match or None)."""
    prev, n = "", 0
    q = sa.select(access_log).order_by(access_log.c.seq)
    for r in model.Session.execute(q).mappings():
        n += 1
        if r["prev_hash"] != prev or chain_hash(dict(r), prev) != r["row_hash"]:
            return n, r["seq"]
        prev = r["row_hash"]
    return n, None


# ---------------------------------------------------------------- actions
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
    return query(org_ids, package_id, data_dict.get("user"), data_dict.get("since"),
                 data_dict.get("until"), limit, int(data_dict.get("offset") or 0))


@tk.side_effect_free
def qingyang_audit_verify(context: dict, data_dict: dict) -> dict[str, Any]:
    """Check the audit log's hash chain: the first row that no longer matches, if any."""
    tk.check_access("qingyang_audit_verify", context, data_dict)
    n, broken = verify()
    return {"rows": n, "intact": broken is None, "first_broken_seq": broken}


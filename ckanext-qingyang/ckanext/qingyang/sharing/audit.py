"""The access audit log (第十八、十九条: users of shared data answer for its use).

Every access to data that is not open, by anyone outside the owning
department, becomes one row of qingyang_access_log; a search page view that
showed restricted items is one row listing them (items, item_orgs), so the log
grows with use, not with the catalog. Old months move to archive files
(archive.py); the list and verify read them too. Rows are written in their
own short transaction, so an access is recorded even when the request that
made it later fails. The table is append-only in the database itself (see the
migration); this module only inserts and reads, and its actions list the rows
and verify the hash chain.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from typing import Any, Iterable

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

from ckanext.qingyang.sharing import access
from ckanext.qingyang.model import access_log, access_log_archive

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
    """One row per web search page view, listing the restricted items it showed
    (the log grows with use, not with the catalog); command-line and background
    searches are not accesses."""
    from flask import has_request_context

    if not has_request_context():
        return
    user = tk.current_user
    hits = [r for r in search_results.get("results") or ()
            if access.restricted_metadata(r) and needs_record(user, r)]
    if hits:
        record_items(user, "search", hits)


def record_items(user: model.User | None, access_kind: str, pkgs: list[Any]) -> int:
    """One row listing several items (a search page view); items already written
    for this request are left out."""
    seen = access._request_cache()
    items = []
    for pkg in pkgs:
        key = ("audited", access_kind, access._get(pkg, "id"), None)
        if seen is not None:
            if key in seen:
                continue
            seen[key] = True
        items.append({"id": access._get(pkg, "id"), "title": access._get(pkg, "title"),
                      "owner_org": access._get(pkg, "owner_org")})
    if not items:
        return 0
    facts = access.user_facts(user)
    row = {"user_id": user.id if user else None, "user_name": user.name if user else "(匿名)",
           "user_orgs": " ".join(facts.org_names), "access": access_kind, "package_id": None,
           "package_title": None, "resource_id": None, "owner_org": None, "grant_id": None,
           "client_addr": _client_addr(), "items": json.dumps(items, ensure_ascii=False),
           "item_orgs": sorted({i["owner_org"] for i in items if i["owner_org"]})}
    with model.meta.engine.begin() as conn:
        conn.execute(access_log.insert(), [row])
    log.info("audit: %s %s one row listing %d item(s)", row["user_name"], access_kind, len(items))
    return 1


def query(owner_org_ids: Iterable[str] | None, package_id: str | None = None, user_name: str | None = None,
          since: str | None = None, until: str | None = None, limit: int = 500, offset: int = 0) -> list[dict]:
    """Rows, newest first, online and then archived months. owner_org_ids None
    means every department (platform admin)."""
    from ckanext.qingyang.sharing import archive

    org_ids = None if owner_org_ids is None else list(owner_org_ids)
    t = access_log.c
    q = sa.select(access_log).order_by(t.seq.desc()).limit(limit + offset)
    if org_ids is not None:
        q = q.where(sa.or_(t.owner_org.in_(org_ids), t.item_orgs.overlap(sa.cast(org_ids, t.item_orgs.type))))
    if package_id:
        q = q.where(sa.or_(t.package_id == package_id,
                           sa.cast(t["items"], JSONB).contains([{"id": package_id}])))
    if user_name:
        q = q.where(t.user_name == user_name)
    if since:
        q = q.where(t.at >= since)
    if until:
        q = q.where(t.at < until)
    rows = [_row(dict(r), org_ids) for r in model.Session.execute(q).mappings()]
    if len(rows) < limit + offset:
        want = limit + offset - len(rows)
        for r in archive.archived_rows(since, until):
            if _matches(r, org_ids, package_id, user_name):
                rows.append(_row(r, org_ids, archived=True))
                want -= 1
                if not want:
                    break
    return rows[offset:offset + limit]


def _matches(r: dict, org_ids: list[str] | None, package_id: str | None, user_name: str | None) -> bool:
    items = json.loads(r["items"]) if r.get("items") else []
    if org_ids is not None and r.get("owner_org") not in org_ids and not set(r.get("item_orgs") or ()) & set(org_ids):
        return False
    if package_id and r.get("package_id") != package_id and not any(i["id"] == package_id for i in items):
        return False
    return not user_name or r.get("user_name") == user_name


def _row(r: dict, org_ids: list[str] | None = None, archived: bool = False) -> dict:
    out = dict(r)
    if not isinstance(out["at"], str):
        out["at"] = out["at"].isoformat()
    out["access_label"] = ACCESS_LABELS.get(out["access"], out["access"])
    out["archived"] = archived
    if out.get("items"):
        items = json.loads(out["items"])
        # a department reads only its own items of a search row
        out["items"] = [i for i in items if org_ids is None or i["owner_org"] in org_ids]
        out["package_title"] = "、".join(i["title"] or i["id"] for i in out["items"])
    return out


def chain_hash(row: dict, prev_hash: str) -> str:
    """The hash the database trigger gives a row (see the migration)."""
    at = row["at"]
    if isinstance(at, str):   # an archived row
        at = dt.datetime.fromisoformat(at)
    at = at.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")
    parts = [str(row["seq"]), prev_hash, at] + [row.get(k) for k in (
        "user_id", "user_name", "user_orgs", "access", "package_id", "package_title", "resource_id",
        "owner_org", "grant_id", "client_addr", "items")]
    if row.get("item_orgs") is not None:
        parts.append(" ".join(row["item_orgs"]))
    # concat_ws skips NULLs
    return hashlib.sha256("\x1f".join(p for p in parts if p is not None).encode("utf-8")).hexdigest()


def verify() -> dict[str, Any]:
    """Walk the chain through the archived months' files and then the online rows."""
    from ckanext.qingyang.sharing import archive

    result = archive.verify_files()
    if result["problems"]:
        return result
    prev, n = result["last_hash"], result["rows"]
    q = sa.select(access_log).order_by(access_log.c.seq)
    for r in model.Session.execute(q).mappings():
        n += 1
        if r["prev_hash"] != prev or chain_hash(dict(r), prev) != r["row_hash"]:
            if r["prev_hash"] != prev and n == result["rows"] + 1 and result["months"]:
                zh = f"归档文件与在线记录的衔接处断开(第 {r['seq']} 条)"
                en = f"the chain breaks between the archive files and the online rows at seq {r['seq']}"
            else:
                zh, en = f"第 {r['seq']} 条记录与哈希链不符", f"row seq {r['seq']} does not match the hash chain"
            log.error("audit verify: %s", en)
            result["problems"].append({"month": None, "file": None, "seq": r["seq"], "message": zh, "error": en})
            return dict(result, rows=n, first_broken_seq=r["seq"], intact=False)
        prev = r["row_hash"]
    return dict(result, rows=n, first_broken_seq=None, intact=True, last_hash=prev)


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
    """Check the audit log's hash chain: every archived month's file (its SHA-256 and
    the chain inside and across files) and then the online rows.

    Returns rows (checked), intact, first_broken_seq, months (archived months checked)
    and problems: [{month, file, seq, message (Chinese), error (English)}].
    """
    tk.check_access("qingyang_audit_verify", context, data_dict)
    result = verify()
    result.pop("last_hash", None)
    return result


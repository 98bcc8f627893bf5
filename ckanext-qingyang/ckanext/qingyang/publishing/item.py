"""List items and their versions as the workflow reads and writes them.

Only the publishing package moves an item between states. It writes through CKAN's
package_update with FLAG in the context (`internal_context`, `apply`); every other write
to a published item becomes a revision that waits for review (a sysadmin's too; see
guards.py).
"""
from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
from ckan.lib import plugins as lib_plugins

from ckanext.qingyang.model import review, version
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.sharing import access

FLAG = "qingyang_workflow"


def get(ref: Any) -> model.Package:
    pkg = model.Package.get(str(ref or ""))
    if pkg is None or pkg.state != "active" or not workflow.is_list_item(pkg):
        raise tk.ObjectNotFound(f"事项不存在: {ref}")
    return pkg


def acting_user(context: dict) -> model.User:
    user = access.context_user(context)
    if user is None:
        raise tk.NotAuthorized("请先登录")
    return user


def ids(data_dict: dict) -> list[str]:
    ids = data_dict.get("ids") or ([data_dict["id"]] if data_dict.get("id") else [])
    if isinstance(ids, str):
        ids = [i for i in ids.replace(",", " ").split() if i]
    if not ids:
        raise tk.ValidationError({"ids": ["请至少选择一个事项"]})
    return list(dict.fromkeys(ids))


def internal_context(context: dict, user: model.User | None = None) -> dict:
    # no defer_commit: CKAN 2.12's package_update then rolls its savepoint back. Each
    # write commits, with the workflow rows written before it; callers check first.
    ctx = {"model": model, "session": model.Session, FLAG: True, "ignore_auth": True}
    if user is not None:
        ctx.update(user=user.name, auth_user_obj=user)
    else:
        ctx["user"] = _site_user()
    return ctx


def _site_user() -> str:
    return tk.get_action("get_site_user")({"ignore_auth": True}, {})["name"]


def show(pkg_id: str) -> dict:
    return tk.get_action("package_show")({"ignore_auth": True, "use_cache": False, FLAG: True}, {"id": pkg_id})


def apply(pkg_id: str, user: model.User | None, changes: dict, base: dict | None = None) -> dict:
    """Write an item through package_update as the workflow (records activity, reindexes)."""
    data = dict(base if base is not None else show(pkg_id))
    data.update(changes)
    data["id"] = pkg_id
    return tk.get_action("package_update")(internal_context({}, user), data)


def proposed_content(pkg_id: str, opened: dict | None) -> dict:
    """What a submission would publish: a revision's stored dict, else the (unpublished) item."""
    if opened and opened["change"] in workflow.REVISIONS and opened.get("data"):
        return json.loads(opened["data"])
    return show(pkg_id)


def update_version(version_id: str, **values) -> None:
    model.Session.execute(version.update().where(version.c.id == version_id).values(**values))


def insert_version(pkg: model.Package, change: str, state: str, user: model.User | None, **values) -> str:
    vid = str(uuid.uuid4())
    model.Session.execute(version.insert().values(
        id=vid, package_id=pkg.id, package_type=pkg.type, owner_org=pkg.owner_org,
        number=workflow.next_number(pkg.id), change=change, state=state, title=pkg.title,
        created=workflow.now(), created_by=user.id if user else None, **values))
    return vid


def org_title(org_id: str | None) -> str:
    org = model.Group.get(org_id or "")
    return org.title if org else ""


def link(pkg: model.Package) -> str:
    return tk.url_for(f"{pkg.type}.read", id=pkg.name, _external=True)


def reviews(version_id: str) -> list[dict]:
    rows = model.Session.execute(sa.select(review).where(review.c.version_id == version_id)
                                 .order_by(review.c.at)).mappings().all()
    return [dict(r) for r in rows]


def validate(pkg: model.Package, data: dict, user: model.User) -> None:
    """Check a proposed version against the item's schema without writing anything."""
    package_plugin = lib_plugins.lookup_package_plugin(pkg.type)
    ctx = {"model": model, "session": model.Session, "user": user.name, "auth_user_obj": user, "package": pkg,
           FLAG: True}
    _, errors = lib_plugins.plugin_validate(package_plugin, ctx, copy.deepcopy(data),
                                            package_plugin.update_package_schema(), "package_update")
    if errors:
        raise tk.ValidationError(errors)

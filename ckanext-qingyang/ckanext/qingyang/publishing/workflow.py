"""Publishing workflow rules: 梳理 → 审核 → 加载 → 发布 → 更新维护.

States (the `publish_state` field; labels in presets.json):
  draft, pending, returned   never published; the item is private to its department
                             (pending and returned items are also shown to their reviewers)
  published, adjusted        public; an edit becomes a pending revision (qingyang_version)
  cancelled                  public, kept with its reason and 依据, no longer current

Who reviews what is data: catalogs/review_routes.yaml names the office roles per list
type, and organizations.yaml gives each office its roles and jurisdiction.
"""
from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
import sqlalchemy as sa
import yaml

from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.core import listdef, markers
from ckanext.qingyang.deadlines import limits
from ckanext.qingyang.model import version as version_table

UNPUBLISHED = ("draft", "pending", "returned")
PUBLISHED = ("published", "adjusted", "cancelled")
OPEN_VERSION = ("draft", "pending", "returned")
REVISIONS = ("revise", "restore")   # changes of a published item: their content waits in the version row
CHANGE_LABELS = {"create": "新发布", "revise": "修订", "restore": "恢复", "adjust": "调整"}
DECLARATION = ("本人承诺:所提交内容不涉及国家秘密、工作秘密和内部资料,属于非涉密信息;"
               "本单位按照“谁发布、谁负责”的原则,对所发布内容的准确性、及时性和合法性负责。")


def state_labels() -> dict[str, str]:
    return {c["value"]: c["label"]["zh_Hans_CN"] for c in listdef.presets()["qy_publish_state"]["choices"]}


# ---------------------------------------------------------------- routes (data)
@lru_cache(maxsize=4)
def _read(path: str, mtime: float) -> dict[str, dict]:
    return yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}


def _catalog() -> dict[str, dict]:
    path = Path(tk.config.get("ckanext.qingyang.catalogs_dir")) / "review_routes.yaml"
    return _read(str(path), path.stat().st_mtime)


def routes() -> dict[str, dict]:
    return _catalog()["routes"]


def role_label(role: str) -> str:
    return (_catalog().get("roles") or {}).get(role, role)


def reviewing_roles() -> set[str]:
    return {role for route in routes().values() for role in route["offices"]}


def roles_for(type_name: str) -> list[str]:
    route = routes().get(type_name)
    if not route:
        raise tk.ValidationError({"type": [f"清单类型 {type_name} 没有配置审核单位(catalogs/review_routes.yaml)"]})
    return list(route["offices"])


def offices_for(type_name: str, owner_org: str) -> dict[str, model.Group]:
    """role -> the office that reviews this type for this owner's jurisdiction.

    The nearest government up the tree that has an office with the role: a
    township's items go to its county's office.
    """
    owner = model.Group.get(owner_org)
    if owner is None:
        raise tk.ObjectNotFound("发布部门不存在")
    chain = jurisdiction.ancestry(owner)
    governments = [g for g in reversed(chain) if (g.extras or {}).get("kind") == "government"]
    out: dict[str, model.Group] = {}
    for role in roles_for(type_name):
        for gov in governments:
            office = next((c for c in gov.get_children_groups(type="organization")
                           if role in jurisdiction.roles(c)), None)
            if office is not None:
                out[role] = office
                break
        else:
            raise tk.ValidationError({"owner_org": [f"“{owner.title}”所在辖区没有{role_label(role)},无法送审"]})
    return out


# ---------------------------------------------------------------- items and versions
def item_state(pkg: Any) -> str:
    """The stored state; items from before the workflow count as published when public."""
    if isinstance(pkg, dict):
        state, private = pkg.get("publish_state"), pkg.get("private")
    else:
        state, private = (pkg.extras or {}).get("publish_state"), pkg.private
    return state or ("draft" if private else "published")


def is_list_item(pkg: Any) -> bool:
    kind = pkg.get("type") if isinstance(pkg, dict) else getattr(pkg, "type", None)
    return kind in listdef.TYPE_NAMES


def open_version(package_id: str) -> dict | None:
    t = version_table.c
    row = model.Session.execute(sa.select(version_table).where(
        t.package_id == package_id, t.state.in_(OPEN_VERSION)).order_by(t.number.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def versions(package_id: str) -> list[dict]:
    t = version_table.c
    rows = model.Session.execute(sa.select(version_table).where(t.package_id == package_id)
                                 .order_by(t.number)).mappings().all()
    return [dict(r) for r in rows]


def current_version(package_id: str) -> dict | None:
    t = version_table.c
    row = model.Session.execute(sa.select(version_table).where(
        t.package_id == package_id, t.state == "published")).mappings().first()
    return dict(row) if row else None


def next_number(package_id: str) -> int:
    t = version_table.c
    return (model.Session.execute(sa.select(sa.func.max(t.number)).where(t.package_id == package_id)).scalar() or 0) + 1


def review_offices(version: dict | None) -> dict[str, str]:
    return json.loads(version["offices"]) if version and version.get("offices") else {}


def pending_office_ids(package_id: str) -> list[str]:
    """Offices that must see a never-published item while it is pending or returned."""
    return list(review_offices(open_version(package_id)).values())


# ---------------------------------------------------------------- people
def own_capacity(user: model.User, org_id: str) -> str | None:
    """The user's own membership role in an organization (sysadmin rights do not count)."""
    m = model.Member
    row = model.Session.query(m.capacity).filter(
        m.table_name == "user", m.table_id == user.id, m.group_id == org_id, m.state == "active").first()
    return row[0] if row else None


def can_review_for(user: model.User | None, office_id: str) -> bool:
    return user is not None and own_capacity(user, office_id) in ("admin", "editor")


def reviewer_offices(user: model.User) -> list[model.Group]:
    """Offices with a review role where the user is an editor or admin."""
    m = model.Member
    ids = [r[0] for r in model.Session.query(m.group_id).filter(
        m.table_name == "user", m.table_id == user.id, m.state == "active", m.capacity.in_(("admin", "editor")))]
    groups = model.Session.query(model.Group).filter(model.Group.id.in_(ids)).all() if ids else []
    return [g for g in groups if jurisdiction.roles(g) & reviewing_roles()]


def now() -> dt.datetime:
    return dt.datetime.utcnow()


def diff(type_name: str, old: dict | None, new: dict) -> list[dict[str, str]]:
    """The list columns whose values differ, as their template cells (readable, labelled)."""
    lt = listdef.load_type(type_name)
    out = []
    for col in lt.columns:
        before = listdef.format_cell(col, (old or {}).get(col.field_name))
        after = listdef.format_cell(col, new.get(col.field_name))
        if before != after:
            out.append({"label": col.label, "old": before, "new": after})
    return out


# ---------------------------------------------------------------- for API callers
@tk.side_effect_free
def qingyang_workflow_info(context: dict, data_dict: dict) -> dict[str, Any]:
    """The states, the declaration text, the review limit and who reviews each list type."""
    return {"states": state_labels(), "declaration": DECLARATION,
            "review_days": limits().review_days, "markers": list(markers.MARKERS),
            "routes": {t: {"offices": [role_label(r) for r in route["offices"]],
                           "article": route.get("article", "")} for t, route in routes().items()}}


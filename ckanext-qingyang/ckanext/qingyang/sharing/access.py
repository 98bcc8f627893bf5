"""Who may see what (国发〔2016〕51号 共享类型 x 开放属性; household rows of 扶贫项目).

Two questions, asked on every path:
- metadata: may this user see that the item exists?  Answered by permission
  labels (IPermissionLabels), so search, counts, facets, show, organization
  pages and activity streams all filter the same way.
- data: may this user read the item's files and datastore tables?  Answered by
  `data_decision`, which the download, datastore and view paths call.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import ckan.model as model
import sqlalchemy as sa

from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.model import share_request

PUBLIC = "public"
GOVERNMENT = "government"          # a member of any department
PLATFORM_ADMIN = "platform-admin"  # a member of the department with the platform_admin duty (市电子政务办)
HOUSEHOLDS = "households"          # resource_role of the full household rows


def _member(org_id: str) -> str:
    return f"member-{org_id}"


# ---------------------------------------------------------------- visibility classes
@dataclass(frozen=True)
class Visibility:
    """What a shared_resource's two attributes mean for metadata and data."""
    metadata_public: bool
    metadata_government: bool
    data_public: bool
    data_government: bool
    grants: tuple[str, ...]       # which kinds of grant open the data: "share", "open"
    platform_admin_sees: bool


def visibility(share_type: str | None, open_type: str | None) -> Visibility:
    if open_type == "open":
        return Visibility(True, True, True, True, (), False)
    if open_type == "conditional":
        return Visibility(True, True, False, share_type == "unconditional",
                          ("share", "open") if share_type == "conditional" else ("open",), False)
    if share_type == "unconditional":
        return Visibility(False, True, False, True, (), False)
    if share_type == "conditional":
        return Visibility(False, True, False, False, ("share",), False)
    # 不予共享 (or not yet classified): the owner and the platform admin only
    return Visibility(False, False, False, False, (), True)


def _get(pkg: Any, key: str) -> Any:
    if isinstance(pkg, dict):
        return pkg.get(key)
    if key in ("type", "owner_org", "private", "state", "id", "name", "title"):
        return getattr(pkg, key)
    return (pkg.extras or {}).get(key)


def item_visibility(pkg: Any) -> Visibility | None:
    """None for items that are plain public disclosure once published."""
    if _get(pkg, "type") != "shared_resource":
        return None
    return visibility(_get(pkg, "share_type"), _get(pkg, "open_type"))


def restricted_metadata(pkg: Any) -> bool:
    vis = item_visibility(pkg)
    return vis is not None and not vis.metadata_public


def dataset_labels(pkg: model.Package) -> list[str] | None:
    """Labels of a list item; None leaves CKAN's default (drafts, private, deleted)."""
    if pkg.private and pkg.state == "active" and pkg.owner_org and _get(pkg, "publish_state") in ("pending", "returned"):
        # a never-published item in review: its department and its reviewing offices
        return [_member(pkg.owner_org)] + [_member(o) for o in workflow.pending_office_ids(pkg.id)]
    vis = item_visibility(pkg)
    if vis is None or pkg.state != "active" or pkg.private or not pkg.owner_org:
        return None
    if vis.metadata_public:
        return [PUBLIC]
    labels = [_member(pkg.owner_org)]
    if vis.metadata_government:
        labels.append(GOVERNMENT)
    if vis.platform_admin_sees:
        labels.append(PLATFORM_ADMIN)
    return labels


# ---------------------------------------------------------------- who the user is
@dataclass
class UserFacts:
    user: model.User | None
    org_ids: set[str] = field(default_factory=set)   # read permission, cascading as CKAN does
    roles: dict[str, set[str]] = field(default_factory=dict)  # org id -> platform duties
    org_names: tuple[str, ...] = ()

    @property
    def sysadmin(self) -> bool:
        return bool(self.user is not None and self.user.sysadmin)

    @property
    def government(self) -> bool:
        return bool(self.org_ids)

    def has_role(self, role: str) -> list[str]:
        return [o for o, r in self.roles.items() if role in r]

    @property
    def platform_admin(self) -> bool:
        return bool(self.has_role("platform_admin"))

    def member_of(self, org_id: str | None) -> bool:
        return bool(org_id) and org_id in self.org_ids


def user_facts(user: model.User | None) -> UserFacts:
    if user is None or not getattr(user, "is_authenticated", True) or getattr(user, "is_anonymous", False):
        return UserFacts(None)
    cache = _request_cache()
    if cache is not None and ("facts", user.id) in cache:
        return cache[("facts", user.id)]
    org_ids = set(_org_ids_for(user))
    groups = model.Session.query(model.Group).filter(model.Group.id.in_(org_ids)).all() if org_ids else []
    roles = {g.id: jurisdiction.roles(g) for g in groups}
    facts = UserFacts(user, org_ids, roles, tuple(sorted(g.name for g in groups)))
    if cache is not None:
        cache[("facts", user.id)] = facts
    return facts


def _org_ids_for(user: model.User) -> list[str]:
    from ckan.logic import get_action

    orgs = get_action("organization_list_for_user")({"user": user.id, "ignore_auth": True},
                                                     {"permission": "read"})
    return [o["id"] for o in orgs]


def _request_cache() -> dict | None:
    """A per-request dict (flask.g); None outside a request."""
    try:
        from flask import g, has_request_context
    except ImportError:  # pragma: no cover
        return None
    if not has_request_context():
        return None
    if not hasattr(g, "qingyang_access"):
        g.qingyang_access = {}
    return g.qingyang_access


def context_user(context: dict) -> model.User | None:
    """The acting user of an action call, inside or outside a web request."""
    user = context.get("auth_user_obj")
    if user is None and context.get("user"):
        user = model.User.get(context["user"])
    if user is None and _request_cache() is not None:
        from ckan.common import current_user
        user = current_user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def user_labels(user: model.User | None) -> list[str]:
    """Labels added to CKAN's default ones (public, creator-, member-)."""
    facts = user_facts(user)
    extra = []
    if facts.government:
        extra.append(GOVERNMENT)
    if facts.platform_admin:
        extra.append(PLATFORM_ADMIN)
    return extra


# ---------------------------------------------------------------- data
@dataclass(frozen=True)
class Decision:
    allowed: bool
    grant_id: str | None = None
    why_zh: str = ""


def grants_held(facts: UserFacts, kinds: tuple[str, ...] = ("share", "open"),
                today: dt.date | None = None) -> Any:
    """Where-clause: approved requests, inside their period today, held by this user
    (open grants) or by one of its departments (share grants); None if it can hold none."""
    if facts.user is None:
        return None
    today = today or dt.date.today()
    t = share_request.c
    holders = []
    if "share" in kinds and facts.org_ids:
        holders.append(sa.and_(t.kind == "share", t.requester_org.in_(facts.org_ids)))
    if "open" in kinds:
        holders.append(sa.and_(t.kind == "open", t.requester_id == facts.user.id))
    if not holders:
        return None
    return sa.and_(t.status == "approved", t.period_start <= today, t.period_end >= today, sa.or_(*holders))


def valid_grant(pkg_id: str, facts: UserFacts, kinds: tuple[str, ...]) -> str | None:
    """The id of a grant for this item that covers this user, if any."""
    held = grants_held(facts, kinds)
    if held is None:
        return None
    t = share_request.c
    q = sa.select(t.id).where(t.package_id == pkg_id, held).order_by(t.period_end.desc()).limit(1)
    return model.Session.execute(q).scalar()


def poverty_office_for(facts: UserFacts, owner_org: str) -> bool:
    """The user belongs to a 扶贫办 of the item's jurisdiction or one above it (the city's)."""
    offices = facts.has_role("poverty_office")
    owner = model.Group.get(owner_org) if offices else None
    if owner is None:
        return False
    governments = {g.id for g in jurisdiction.ancestry(owner)}
    for office_id in offices:
        office = model.Group.get(office_id)
        parents = office.get_parent_groups(type="organization") if office else []
        if parents and parents[0].id in governments:
            return True
    return False


def data_decision(user: model.User | None, pkg: Any, resource: dict | None = None) -> Decision:
    """May this user read the item's data (files, datastore rows)?"""
    facts = user_facts(user)
    owner_org = _get(pkg, "owner_org")
    if facts.sysadmin or facts.member_of(owner_org):
        return Decision(True)
    if resource is not None and resource.get("resource_role") == HOUSEHOLDS:
        if poverty_office_for(facts, owner_org):
            return Decision(True)
        return Decision(False, why_zh="受益户明细含个人信息,仅限发布部门和本级、市级扶贫办查看;公众请查看已脱敏的公开版本")
    vis = item_visibility(pkg)
    if vis is None or vis.data_public:
        return Decision(True)
    if vis.data_government and facts.government:
        return Decision(True)
    if vis.platform_admin_sees and facts.platform_admin:
        return Decision(True)
    if vis.grants:
        grant = valid_grant(_get(pkg, "id"), facts, vis.grants)
        if grant:
            return Decision(True, grant)
    if "open" in vis.grants and not facts.government:
        return Decision(False, why_zh="该信息资源有条件开放,请登录后提交开放申请,经提供部门同意后可获取数据")
    if vis.grants:
        return Decision(False, why_zh="该信息资源有条件共享,请本部门提交共享申请,经提供部门同意后在有效期内可获取数据")
    return Decision(False, why_zh="无权获取该信息资源的数据")


def item_page_notice(user: model.User | None, pkg: dict[str, Any]) -> dict[str, Any] | None:
    """For the item page: may the viewer get the data, may they ask for it, may they
    upload household rows? None when there is nothing to say."""
    facts = user_facts(user)
    households = pkg.get("type") == "poverty_project" and facts.member_of(pkg.get("owner_org"))
    vis = item_visibility(pkg)
    if vis is None:
        return {"allowed": True, "can_upload_households": True} if households else None
    decision = data_decision(user, pkg)
    can_request = bool(vis.grants) and not facts.member_of(pkg.get("owner_org")) and (
        ("share" in vis.grants and facts.government) or ("open" in vis.grants and user is not None))
    return {"allowed": decision.allowed, "grant_id": decision.grant_id, "why_zh": decision.why_zh,
            "can_request": can_request and not decision.allowed, "can_upload_households": False}


def refresh_activity_labels(pkg_id: str | None) -> None:
    """Give a resource's past activities its current labels.

    The activity plugin stamps labels when an activity is written; when a
    resource becomes less open, its old activities must stop showing it.
    """
    from ckan.lib.plugins import get_permission_labels

    pkg = model.Package.get(pkg_id or "")
    if pkg is None or item_visibility(pkg) is None:
        return
    labels = get_permission_labels().get_dataset_labels(pkg)
    model.Session.execute(sa.text(
        "UPDATE activity SET permission_labels = :labels "
        "WHERE object_id = :id AND permission_labels IS DISTINCT FROM CAST(:labels AS text[])"),
        {"labels": labels, "id": pkg.id})

"""Template helpers (ITemplateHelpers)."""
from __future__ import annotations

from typing import Any

from ckanext.qingyang import codes, listdef


def qingyang_county_choices(field: dict) -> list[dict[str, str]]:
    return [{"value": code, "label": name} for code, name in codes.QINGYANG_COUNTIES.items()]


def qingyang_list_types() -> list[listdef.ListType]:
    return list(listdef.all_types().values())


def qingyang_timeliness(org_id: str) -> dict[str, dict[str, Any]]:
    from ckanext.qingyang.catalog import timeliness

    return timeliness.for_organization(org_id)


def qingyang_timeliness_label(rating: str) -> str:
    from ckanext.qingyang.catalog import timeliness

    return timeliness.LABELS.get(rating, "")


def qingyang_data_access(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """For the item page: may the viewer get the data, and may they ask for it?"""
    import ckan.plugins.toolkit as tk

    from ckanext.qingyang.sharing import access

    user = tk.current_user if getattr(tk.current_user, "is_authenticated", False) else None
    facts = access.user_facts(user)
    households = pkg.get("type") == "poverty_project" and facts.member_of(pkg.get("owner_org"))
    vis = access.item_visibility(pkg)
    if vis is None:
        return {"allowed": True, "can_upload_households": True} if households else None
    decision = access.data_decision(user, pkg)
    can_request = bool(vis.grants) and not facts.member_of(pkg.get("owner_org")) and (
        ("share" in vis.grants and facts.government) or ("open" in vis.grants and user is not None))
    return {"allowed": decision.allowed, "grant_id": decision.grant_id, "why_zh": decision.why_zh,
            "can_request": can_request and not decision.allowed, "can_upload_households": False}


def qingyang_unread_notices() -> int:
    import ckan.plugins.toolkit as tk

    from ckanext.qingyang.sharing import notices

    user = tk.current_user
    return notices.unread_count(user.id) if getattr(user, "is_authenticated", False) else 0


def qingyang_reviews_for(org_id: str) -> bool:
    """The viewer reviews for this office (an editor or admin of an office with a review role)."""
    import ckan.plugins.toolkit as tk

    from ckanext.qingyang.publishing import workflow

    user = tk.current_user if getattr(tk.current_user, "is_authenticated", False) else None
    return user is not None and any(o.id == org_id for o in workflow.reviewer_offices(user))


def get_helpers() -> dict[str, Any]:
    return {
        "qingyang_reviews_for": qingyang_reviews_for,
        "qingyang_data_access": qingyang_data_access,
        "qingyang_unread_notices": qingyang_unread_notices,
        "qingyang_county_choices": qingyang_county_choices,
        "qingyang_list_types": qingyang_list_types,
        "qingyang_timeliness": qingyang_timeliness,
        "qingyang_timeliness_label": qingyang_timeliness_label,
    }

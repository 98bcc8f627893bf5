"""Where an organization sits in the city / county / township tree."""
from __future__ import annotations

from typing import Any

import ckan.model as model

from ckanext.qingyang.core import codes


def roles(org: model.Group) -> set[str]:
    """The organization's platform duties (organizations.yaml `roles`, stored space-separated)."""
    return set(str((org.extras or {}).get("roles") or "").split())


def ancestry(org: model.Group) -> list[model.Group]:
    """The organization and every organization above it, top first."""
    chain = [org]
    seen = {org.id}
    while True:
        parents = chain[0].get_parent_groups(type="organization")
        if not parents or parents[0].id in seen:
            return chain
        seen.add(parents[0].id)
        chain.insert(0, parents[0])


def facts(org: model.Group) -> dict[str, Any]:
    """Index fields that let search facet and roll up by jurisdiction."""
    return dict(place(org), org_path=[g.name for g in ancestry(org)])


def place(org: model.Group) -> dict[str, Any]:
    """The organization's own jurisdiction fields: facts() without the walk up the tree."""
    extras = org.extras or {}
    region = str(extras.get("region_code") or "")
    county_code = codes.county_of(region) if len(region) == 9 else region
    if county_code not in codes.QINGYANG_COUNTIES:
        county_code = ""
    return {
        "jurisdiction_level": extras.get("jurisdiction_level") or "",
        "region_code": region,
        "county_code": county_code,
        "county": codes.QINGYANG_COUNTIES.get(county_code, ""),
        "department": org.name,
        "org_title": org.title or org.name,
        "place": str(extras.get("jurisdiction") or ""),
    }


"""Template helpers (ITemplateHelpers)."""
from __future__ import annotations

from typing import Any

from ckanext.qingyang import codes, listdef


def qingyang_county_choices(field: dict) -> list[dict[str, str]]:
    return [{"value": code, "label": name} for code, name in codes.QINGYANG_COUNTIES.items()]


def qingyang_list_types() -> list[listdef.ListType]:
    return list(listdef.all_types().values())


def qingyang_timeliness(org_id: str) -> dict[str, dict[str, Any]]:
    from ckanext.qingyang.logic import timeliness

    return timeliness.for_organization(org_id)


def qingyang_timeliness_label(rating: str) -> str:
    from ckanext.qingyang.logic import timeliness

    return timeliness.LABELS.get(rating, "")


def get_helpers() -> dict[str, Any]:
    return {
        "qingyang_county_choices": qingyang_county_choices,
        "qingyang_list_types": qingyang_list_types,
        "qingyang_timeliness": qingyang_timeliness,
        "qingyang_timeliness_label": qingyang_timeliness_label,
    }

"""Template helpers (ITemplateHelpers): each asks the package that knows."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import timeliness
from ckanext.qingyang.core import listdef
from ckanext.qingyang.core.timeliness import LABELS as RATING_LABELS
from ckanext.qingyang.pages import caller_context
from ckanext.qingyang.portal import guide, home, jurisdictions, look
from ckanext.qingyang.publishing import workflow
from ckanext.qingyang.sharing import access, notices


def _viewer():
    return tk.current_user if getattr(tk.current_user, "is_authenticated", False) else None


def qingyang_choices_from(field: dict) -> list[dict[str, Any]]:
    """Scheming's choices of a field whose `choices_from` names data (listdef.CHOICE_SOURCES)."""
    return [{"value": c.value, "label": {"zh_Hans_CN": c.label, "en": c.label_en}}
            for c in listdef.choices_from(field["choices_from"])]


def qingyang_list_types() -> list[listdef.ListType]:
    return list(listdef.all_types().values())


def qingyang_timeliness(org_id: str) -> dict[str, dict[str, Any]]:
    return timeliness.for_organization(org_id)


def qingyang_timeliness_label(rating: str) -> str:
    return RATING_LABELS.get(rating, "")


def qingyang_data_access(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """For the item page: may the viewer get the data, and may they ask for it?"""
    return access.item_page_notice(_viewer(), pkg)


def qingyang_unread_notices() -> int:
    user = _viewer()
    return notices.unread_count(user.id) if user is not None else 0


def qingyang_reviews_for(org_id: str) -> bool:
    """The viewer reviews for this office (an editor or admin of an office with a review role)."""
    user = _viewer()
    return user is not None and any(o.id == org_id for o in workflow.reviewer_offices(user))


def qingyang_guide(pkg: dict[str, Any]) -> dict[str, Any] | None:
    """For the item page: the 办事指南's facts, or None for a type that has no guide."""
    return guide.facts(caller_context(), pkg) if pkg.get("type") in guide.GUIDE_TYPES else None


def qingyang_portal_home() -> dict[str, Any]:
    """For the home page: counts per theme, 热门事项 and the newest 调整公告."""
    return home.facts()


def qingyang_jurisdiction() -> jurisdictions.Jurisdiction:
    """The visitor's jurisdiction choice (全市 when none)."""
    return jurisdictions.current()


# the supervision pages' tabs, in this order; each shows once its blueprint is registered
SUPERVISION_TABS = (("qingyang_assessment.board", "督查考核"), ("qingyang_bulletins.index", "通报"),
                    ("qingyang_efficiency.index", "效能监察"), ("qingyang_risk.city_report", "风险评估"),
                    ("qingyang_catalog.supervision", "更新督查"))


def qingyang_supervision_tabs() -> list[tuple[str, str]]:
    from flask import current_app

    return [(e, label) for e, label in SUPERVISION_TABS if e in current_app.view_functions]


def qingyang_subscription_of(kind: str, target: str) -> dict[str, Any] | None:
    """The signed-in user's mail subscription to a department (its id) or list type; None."""
    viewer = _viewer()
    if viewer is None:
        return None
    from ckanext.qingyang.subscriptions import actions

    return actions.own(viewer, kind, target)


def get_helpers() -> dict[str, Any]:
    return {
        "qingyang_supervision_tabs": qingyang_supervision_tabs,
        "qingyang_portal_home": qingyang_portal_home,
        "qingyang_jurisdiction": qingyang_jurisdiction,
        "qingyang_reviews_for": qingyang_reviews_for,
        "qingyang_data_access": qingyang_data_access,
        "qingyang_guide": qingyang_guide,
        "qingyang_unread_notices": qingyang_unread_notices,
        "qingyang_choices_from": qingyang_choices_from,
        "qingyang_list_types": qingyang_list_types,
        "qingyang_timeliness": qingyang_timeliness,
        "qingyang_timeliness_label": qingyang_timeliness_label,
        "qingyang_subscription_of": qingyang_subscription_of,
        # the site's look (portal/look.py)
        "qingyang_display_modes": look.display_modes,
        "qingyang_display_toggle": look.display_toggle,
        "qingyang_html_lang": look.html_lang,
        "qingyang_language_links": look.language_links,
        "qingyang_result_facts": look.result_facts,
        "qingyang_has_chinese": look.has_chinese,
        "humanize_entity_type": look.humanize_entity_type,
    }

"""Portal: what citizens read.

The 办事指南 of an approval or service item at its own address `/dataset/<name>`
(templates/scheming/package/read.html, facts from guide.py), its printable document
checklist (blueprint.py), and the stylesheet both use (assets/).

The site-wide look every page gets (look.py, templates/base.html, header.html,
footer.html, assets/site.css and display.js): the header and footer, the display modes
大字 / 高对比 and their `/display` link, the language switch, the search result card.

The get_* functions import on call, like the other packages'.
"""
from __future__ import annotations

from typing import Any


def get_actions() -> dict[str, Any]:
    from ckanext.qingyang.portal import guide, search

    return {"qingyang_guide_show": guide.qingyang_guide_show,
            "qingyang_portal_search": search.qingyang_portal_search,
            "qingyang_portal_suggest": search.qingyang_portal_suggest}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks

    # they read through package_search / package_show, which check the caller
    return {name: auth_checks.anyone
            for name in ("qingyang_guide_show", "qingyang_portal_search", "qingyang_portal_suggest")}


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.portal import blueprint, look

    return [blueprint.portal, look.display]

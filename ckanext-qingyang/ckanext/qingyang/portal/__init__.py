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
    from ckanext.qingyang.portal import guide

    return {"qingyang_guide_show": guide.qingyang_guide_show}


def get_auth_functions() -> dict[str, Any]:
    from ckanext.qingyang import auth_checks

    # the action reads the item through package_show, which checks the caller
    return {"qingyang_guide_show": auth_checks.anyone}


def get_blueprints() -> list[Any]:
    from ckanext.qingyang.portal import blueprint, look

    return [blueprint.portal, look.display]

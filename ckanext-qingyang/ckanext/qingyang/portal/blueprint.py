"""Portal pages (blueprint `qingyang_portal`): the printable document checklist of a
办事指南. The guide itself is the item's own page (templates/scheming/package/read.html)."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.qingyang.pages import caller_context

portal = Blueprint("qingyang_portal", __name__, url_prefix="/qingyang")


@portal.route("/guide/<id>/print")
def guide_print(id: str):
    try:
        guide = tk.get_action("qingyang_guide_show")(caller_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        # as /dataset/<name> answers: a hidden item does not exist for this caller
        return tk.abort(404, tk._("事项不存在"))
    return tk.render("qingyang/portal/guide_print.html", {"pkg": guide["item"], "guide": guide})

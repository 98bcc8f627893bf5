"""/qingyang/efficiency: 效能监察 for government users (the platform admin all departments,
a department its own): the month's statistics, the open red and yellow cards, the unmatched
and quarantined records."""
from __future__ import annotations

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.qingyang.pages import caller_context, require_login
from ckanext.qingyang.sharing import access
from ckanext.qingyang.supervision.efficiency import facts

efficiency = Blueprint("qingyang_efficiency", __name__, url_prefix="/qingyang")


@efficiency.route("/efficiency")
def index():
    require_login()
    context = caller_context()
    try:
        tk.check_access("qingyang_efficiency_view", context, {})
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    who = access.user_facts(tk.current_user)
    visible = None if (who.sysadmin or who.platform_admin) else sorted(who.org_ids)
    month = tk.request.args.get("month") or facts.today().strftime("%Y-%m")
    try:
        facts.month_range(month)
    except ValueError:
        return tk.abort(400, tk._("月份应为 YYYY-MM"))
    org = None
    wanted = tk.request.args.get("organization")
    if wanted:
        org = model.Group.get(wanted)
        if org is None or (visible is not None and org.id not in visible):
            return tk.abort(404 if org is None else 403, tk._("没有这个部门,或无权查看"))
    scope = [org.id] if org else visible
    red = facts.department_month(org.id, month) if org else None
    return tk.render("qingyang/supervision/efficiency/index.html", {
        "month": month, "org": org, "stats": facts.monthly(scope, month), "cards": facts.open_cards(scope),
        "quarantined": facts.quarantined(scope), "month_facts": red,
        "orgs": [] if visible is not None and len(visible) <= 1 else _org_choices(visible)})


def _org_choices(visible):
    q = model.Session.query(model.Group).filter(model.Group.is_organization.is_(True), model.Group.state == "active")
    if visible is not None:
        q = q.filter(model.Group.id.in_(visible))
    return [(g.name, g.title) for g in q.order_by(model.Group.title)]

"""督查考核 pages (blueprint `qingyang_assessment`): the board, one organization's months, the
XLSX export. Government users only; each sees what actions.visible_org_ids allows."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint

from ckanext.qingyang.pages import call_or_abort, download, require_login
from ckanext.qingyang.supervision.assessment import export

assessment = Blueprint("qingyang_assessment", __name__, url_prefix="/qingyang/assessment")


def _query() -> dict:
    return {k: v for k, v in tk.request.args.items() if k in ("month", "county") and v}


@assessment.route("/")
def board():
    require_login()
    data = call_or_abort("qingyang_assessment_board", _query())
    scored = [r for r in data["departments"] if r["total"] is not None]
    charts = {"counties": [{"name": c["title"], "value": c["total"]} for c in data["counties"] if c["total"] is not None],
              "departments": [{"name": r["title"], "value": r["total"]} for r in scored[:30]]}
    return tk.render("qingyang/supervision/assessment/board.html", {"board": data, "query": _query(), "charts": charts})


@assessment.route("/export.xlsx")
def board_xlsx():
    require_login()
    data = call_or_abort("qingyang_assessment_board", _query())
    body = export.board_xlsx(data, tk.config.get("ckan.site_url") or "")
    return download(body, "xlsx", f"督查考核-{data['month']}.xlsx")


@assessment.route("/<org>")
def organization(org: str):
    require_login()
    data = call_or_abort("qingyang_assessment_show", dict(_query(), organization=org))
    counted = [i for i in data["indicators"] if i["status"] == "counted"]
    charts = {"trend": {"months": [f"{int(t['month'][5:])}月" for t in data["trend"]],
                        "totals": [t["total"] for t in data["trend"]]},
              "radar": {"name": data["title"], "labels": [i["label"] for i in counted],
                        "scores": [i["score"] for i in counted]}}
    return tk.render("qingyang/supervision/assessment/organization.html",
                     {"row": data, "query": _query(), "charts": charts})


BLUEPRINTS = [assessment]

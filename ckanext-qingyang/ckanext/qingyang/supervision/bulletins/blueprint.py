"""通报 pages (blueprint `qingyang_bulletins`): the list (with the draft form for the platform
admin), one bulletin (the draft to review, with its issue button), and the archived files."""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import Blueprint, redirect

from ckanext.qingyang.core import assessment
from ckanext.qingyang.pages import call_or_abort, caller_context, download, require_login
from ckanext.qingyang.sharing import access
from ckanext.qingyang.supervision.assessment.actions import this_month
from ckanext.qingyang.supervision.bulletins import documents

bulletins = Blueprint("qingyang_bulletins", __name__, url_prefix="/qingyang/bulletins")


def _is_admin() -> bool:
    who = access.user_facts(tk.current_user)
    return who.sysadmin or who.platform_admin


@bulletins.route("/")
def index():
    require_login()
    rows = call_or_abort("qingyang_bulletin_list", {})
    months = assessment.months_back(this_month(), 13)[:-1][::-1]
    return tk.render("qingyang/supervision/bulletins/index.html",
                     {"bulletins": rows, "admin": _is_admin(), "months": months,
                      "error": tk.request.args.get("error")})


@bulletins.route("/draft", methods=["POST"])
def draft():
    require_login()
    try:
        b = tk.get_action("qingyang_bulletin_draft")(caller_context(), {"month": tk.request.form.get("month")})
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    except tk.ValidationError as e:
        msg = "; ".join(str(m) for msgs in e.error_dict.values() for m in msgs)
        return redirect(tk.h.url_for("qingyang_bulletins.index", error=msg), code=303)
    return redirect(tk.h.url_for("qingyang_bulletins.read", bulletin_id=b["id"]), code=303)


@bulletins.route("/<bulletin_id>")
def read(bulletin_id: str):
    require_login()
    b = call_or_abort("qingyang_bulletin_show", {"id": bulletin_id})
    return tk.render("qingyang/supervision/bulletins/read.html",
                     {"b": b, "admin": _is_admin(), "responsible": documents.RESPONSIBLE})


@bulletins.route("/<bulletin_id>/issue", methods=["POST"])
def issue(bulletin_id: str):
    require_login()
    try:
        tk.get_action("qingyang_bulletin_issue")(caller_context(), {"id": bulletin_id})
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    except tk.ValidationError as e:
        return tk.abort(409, "; ".join(str(m) for msgs in e.error_dict.values() for m in msgs))
    # relative, so the redirect stays on the host the form was sent to (CSP form-action 'self')
    return redirect(tk.h.url_for("qingyang_bulletins.read", bulletin_id=bulletin_id), code=303)


@bulletins.route("/<bulletin_id>/bulletin.<any(pdf, xlsx):fmt>")
def file(bulletin_id: str, fmt: str):
    require_login()
    b = call_or_abort("qingyang_bulletin_show", {"id": bulletin_id})
    if b["state"] != "issued":   # a draft has no files; its PDF is previewed, never archived
        if fmt != "pdf":
            return tk.abort(404, tk._("草稿没有 Excel 文件"))
        b.setdefault("number", "(草稿)")
        return download(documents.pdf(b), "pdf", f"通报草稿-{b['month']}.pdf")
    try:
        data = documents.read(b["files"][fmt])
    except documents.ArchiveError as e:
        return tk.abort(409, str(e))
    return download(data, fmt, f"通报-{b['month']}.{fmt}")


BLUEPRINTS = [bulletins]

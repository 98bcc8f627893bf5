"""Sharing pages (blueprint `qingyang_sharing`): the gate in front of every data download,
共享与开放申请, the access audit log, notices, and the upload of household rows."""
from __future__ import annotations

import csv
import io

import ckan.plugins.toolkit as tk
from flask import Blueprint, request

from ckanext.qingyang.core import listdef
from ckanext.qingyang.deadlines import limits
from ckanext.qingyang.pages import caller_context, download, require_login
from ckanext.qingyang.sharing import gate
from ckanext.qingyang.sharing.share_requests import own_departments

sharing = Blueprint("qingyang_sharing", __name__, url_prefix="/qingyang")


# ---------------------------------------------------------------- the data gate
@sharing.before_app_request
def data_gate():
    """Resource downloads (any dataset type's blueprint) and datastore dumps pass here first."""
    endpoint = request.endpoint or ""
    args = request.view_args or {}
    if not ((endpoint.endswith(".download") and "resource_id" in args) or endpoint == "datastore.dump"):
        return None
    try:
        gate.check(caller_context(), args.get("resource_id"), "download")
    except tk.ObjectNotFound:
        return None  # the view answers 404 itself
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    return None


# ---------------------------------------------------------------- share requests
@sharing.route("/share-requests")
def share_requests():
    """共享与开放申请: my requests, my departments' incoming and outgoing ones, overdue ones."""
    require_login()
    ctx = caller_context()
    mine = tk.get_action("qingyang_share_request_list")(ctx, {})
    departments = []
    for org in own_departments(tk.current_user):
        rows = tk.get_action("qingyang_share_request_list")(ctx, {"organization": org.id})
        departments.append({"org": org, "incoming": [r for r in rows if r["owner_org"] == org.id],
                            "outgoing": [r for r in rows if r["requester_org"] == org.id]})
    overdue = None
    try:
        overdue = tk.get_action("qingyang_share_request_list")(ctx, {"overdue": True})
    except tk.NotAuthorized:
        pass
    return tk.render("qingyang/share_requests.html", {"mine": mine, "departments": departments,
                                                      "overdue": overdue,
                                                      "decision_days": limits().share_decision_days})


@sharing.route("/share-requests/new/<package_id>", methods=["GET", "POST"])
def share_request_new(package_id: str):
    require_login()
    ctx = caller_context()
    try:
        pkg = tk.get_action("package_show")(ctx, {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("信息资源不存在"))
    orgs = own_departments(tk.current_user)
    form, errors = dict(tk.request.form), {}
    if tk.request.method == "POST":
        data = {"id": pkg["id"], "organization": form.get("organization") or None,
                "purpose": form.get("purpose"), "basis": form.get("basis"),
                "info_items": tk.request.form.getlist("info_items"),
                "period_start": form.get("period_start"), "period_end": form.get("period_end")}
        try:
            tk.get_action("qingyang_share_request_create")(ctx, data)
        except tk.ValidationError as e:
            errors = e.error_dict
        except tk.NotAuthorized as e:
            errors = {"organization": [str(e)]}
        else:
            tk.h.flash_success(tk._("申请已提交,提供部门应在 {n} 个工作日内答复").format(n=limits().share_decision_days))
            return tk.redirect_to("qingyang_sharing.share_requests")
    items = [i["item_name"] for i in pkg.get("info_items") or []] if isinstance(pkg.get("info_items"), list) else []
    return tk.render("qingyang/share_request_new.html", {"pkg": pkg, "orgs": orgs, "form": form,
                                                         "errors": errors, "info_items": items})


@sharing.route("/share-requests/<request_id>/<verb>", methods=["POST"])
def share_request_answer(request_id: str, verb: str):
    require_login()
    action = {"approve": "qingyang_share_request_decide", "refuse": "qingyang_share_request_decide",
              "revoke": "qingyang_share_request_revoke"}.get(verb)
    if action is None:
        return tk.abort(404)
    data = {"id": request_id, "reason": tk.request.form.get("reason")}
    if verb != "revoke":
        data["decision"] = verb
    try:
        tk.get_action(action)(caller_context(), data)
        tk.h.flash_success(tk._("已保存"))
    except tk.ValidationError as e:
        tk.h.flash_error(";".join(m for msgs in e.error_dict.values() for m in msgs))
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("无权操作"))
    return tk.redirect_to("qingyang_sharing.share_requests")


# ---------------------------------------------------------------- audit log
AUDIT_COLUMNS = (("at", "时间"), ("user_name", "用户"), ("user_orgs", "所在部门"), ("access_label", "访问方式"),
                 ("package_title", "信息资源"), ("resource_id", "资源"), ("grant_id", "授权(申请编号)"),
                 ("client_addr", "客户端地址"), ("seq", "序号"), ("row_hash", "校验值"))


@sharing.route("/audit")
def audit_log():
    """访问审计: the owner's (or, for the platform admin, every) access record; ?format=csv exports."""
    require_login()
    query = {k: v for k, v in tk.request.args.items() if k in ("organization", "package_id", "user", "since", "until")}
    try:
        rows = tk.get_action("qingyang_audit_list")(caller_context(), dict(query, limit=5000))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    if tk.request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([label for _, label in AUDIT_COLUMNS])
        for r in rows:
            writer.writerow([r.get(k) or "" for k, _ in AUDIT_COLUMNS])
        return download(("\ufeff" + out.getvalue()).encode("utf-8"), "csv", "访问审计记录.csv")
    return tk.render("qingyang/audit.html", {"rows": rows, "query": query, "columns": AUDIT_COLUMNS})


# ---------------------------------------------------------------- notices
@sharing.route("/notices", methods=["GET", "POST"])
def notice_list():
    require_login()
    if tk.request.method == "POST":
        tk.get_action("qingyang_notice_read")(caller_context(), {"id": tk.request.form.get("id")})
        return tk.redirect_to("qingyang_sharing.notice_list")
    rows = tk.get_action("qingyang_notice_list")(caller_context(), {})
    return tk.render("qingyang/notices.html", {"notices": rows})


# ---------------------------------------------------------------- household rows
@sharing.route("/households/<package_id>", methods=["GET", "POST"])
def households_upload(package_id: str):
    """Upload a poverty project's 受益户明细 (CSV or XLSX with the template's headers)."""
    require_login()
    ctx = caller_context()
    try:
        pkg = tk.get_action("package_show")(ctx, {"id": package_id})
        tk.check_access("package_update", ctx, {"id": pkg["id"]})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(403, tk._("只有发布部门可以上传受益户明细"))
    errors = []
    if tk.request.method == "POST":
        try:
            result = tk.get_action("qingyang_households_upload")(ctx, {"id": pkg["id"],
                                                                       "upload": tk.request.files.get("upload")})
        except tk.ValidationError as e:
            errors = e.error_dict.get("rows") or [str(e.error_dict)]
        else:
            tk.h.flash_success(tk._("已载入 {n} 户;公众只能看到脱敏后的公开版本").format(n=result["households"]))
            return tk.redirect_to("dataset.read", id=pkg["name"])
    columns = listdef.load_type("poverty_project").household_columns
    return tk.render("qingyang/households.html", {"pkg": pkg, "errors": errors, "columns": columns})

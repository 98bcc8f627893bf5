"""Pages and downloads (IBlueprint): templates, list exports, share requests, the
access audit log, notices, and the gate in front of every data download."""
from __future__ import annotations

import datetime as dt
import urllib.parse
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.qingyang import listdef, spreadsheets
from ckanext.qingyang.deadlines import limits

qingyang = Blueprint("qingyang", __name__, url_prefix="/qingyang")

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


def _download(data: bytes, fmt: str, filename: str) -> Response:
    quoted = urllib.parse.quote(filename)
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{fmt}.{fmt}\"; filename*=UTF-8''{quoted}"})


def _list_type_or_404(type_name: str) -> listdef.ListType:
    if type_name not in listdef.TYPE_NAMES:
        tk.abort(404, tk._("清单类型不存在"))
    return listdef.load_type(type_name)


@qingyang.route("/template/<type_name>.<fmt>")
def template(type_name: str, fmt: str):
    lt = _list_type_or_404(type_name)
    if fmt not in ("xlsx", "csv"):
        tk.abort(404, tk._("模板格式应为 xlsx 或 csv"))
    return _download(spreadsheets.template(lt, fmt), fmt, f"{lt.list_label}导入模板.{fmt}")


@qingyang.route("/list/<org_name>/<type_name>.<fmt>")
def list_export(org_name: str, type_name: str, fmt: str):
    lt = _list_type_or_404(type_name)
    if fmt not in MIMETYPES:
        tk.abort(404, tk._("导出格式应为 xlsx、csv 或 json"))
    args = tk.request.args
    try:
        result = tk.get_action("qingyang_list_export")(
            {"user": tk.current_user.name if tk.current_user.is_authenticated else ""},
            {"organization": org_name, "type": type_name, "year": args.get("year"),
             "children": args.get("children", "0")})
    except tk.ObjectNotFound:
        tk.abort(404, tk._("部门不存在"))
    stem = f"{org_name}-{lt.list_label}" + (f"-{args['year']}" if args.get("year") else "")
    if fmt == "json":
        data = spreadsheets.to_json(lt, result["rows"], {"organization": org_name, "count": result["count"]})
    elif fmt == "csv":
        data = spreadsheets.to_csv(lt, result["rows"])
    else:
        data = spreadsheets.to_xlsx(lt, result["rows"])
    return _download(data, fmt, f"{stem}.{fmt}")


ACCEPTED = (".xlsx", ".csv", ".json")


def _organization_or_404(org_name: str) -> dict:
    try:
        return tk.get_action("organization_show")({}, {"id": org_name, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("部门不存在"))


@qingyang.route("/submit/<org_name>", methods=["GET", "POST"])
def submit(org_name: str):
    """提交清单: a department uploads a list file; the pipeline collects it."""
    org = _organization_or_404(org_name)
    types = list(listdef.all_types().values())
    if tk.request.method == "POST":
        type_name = tk.request.form.get("type", "")
        upload = tk.request.files.get("file")
        try:
            tk.check_access("qingyang_submit", {}, {"organization": org["id"], "type": type_name})
        except tk.NotAuthorized:
            tk.abort(403, tk._("只有本部门的编辑或管理员可以提交清单"))
        name = Path(upload.filename or "").name if upload else ""
        if type_name not in listdef.TYPE_NAMES:
            tk.h.flash_error(tk._("请选择清单类型"))
        elif not name or not name.lower().endswith(ACCEPTED):
            tk.h.flash_error(tk._("请选择 XLSX、CSV 或 JSON 文件"))
        else:
            folder = Path(tk.config["ckanext.qingyang.inbox_dir"]) / org["name"] / type_name
            folder.mkdir(parents=True, exist_ok=True)
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            target = folder / f"{stamp}-{name}"
            # written under a .part name, then renamed: the pipeline never reads half a file
            partial = target.with_name(target.name + ".part")
            upload.save(str(partial))
            partial.rename(target)
            tk.h.flash_success(tk._("已收到“{}”,将在下次采集时处理,结果见提交记录。").format(name))
            return tk.redirect_to("qingyang.submission_list", org_name=org["name"])
    return tk.render("qingyang/submit.html", {"organization": org, "list_types": types})


@qingyang.route("/submissions/<org_name>")
def submission_list(org_name: str):
    """提交记录: the department's submissions, their outcome and error reports."""
    org = _organization_or_404(org_name)
    try:
        records = tk.get_action("qingyang_submission_list")({}, {"organization": org["id"]})
    except tk.NotAuthorized:
        tk.abort(403, tk._("只有本部门成员可以查看提交记录"))
    labels = {t: lt.list_label for t, lt in listdef.all_types().items()}
    return tk.render("qingyang/submissions.html", {"organization": org, "records": records, "labels": labels})


@qingyang.route("/submissions/<org_name>/<submission_id>/errors.xlsx")
def submission_errors(org_name: str, submission_id: str):
    from ckanext.qingyang.catalog import submissions

    org = _organization_or_404(org_name)
    try:
        tk.check_access("qingyang_submission_list", {}, {"organization": org["id"]})
    except tk.NotAuthorized:
        tk.abort(403, tk._("只有本部门成员可以查看提交记录"))
    import ckan.model as model

    report = submissions.get(model.Group.get(org["id"]), submission_id)
    if report is None:
        tk.abort(404, tk._("提交记录不存在"))
    lt = listdef.load_type(report["type_name"])
    data = spreadsheets.error_workbook(
        f"{org['title']} {lt.list_label} {report.get('file_name', '')}",
        f"结果:{'已采用' if report['outcome'] == 'accepted' else '未采用'}  {report.get('reason_zh', '')}",
        report.get("problems", []))
    return _download(data, "xlsx", f"错误报告-{report.get('file_name', submission_id)}.xlsx")


@qingyang.route("/supervision")
def supervision():
    """督查: lists that are overdue or delinquent, for the platform admin (第二十四条)."""
    try:
        late = tk.get_action("qingyang_timeliness_late")({}, {})
    except tk.NotAuthorized:
        tk.abort(403, tk._("仅平台管理员(市电子政务办)可以查看督查清单"))
    labels = {t: lt.list_label for t, lt in listdef.all_types().items()}
    return tk.render("qingyang/supervision.html", {"late": late, "labels": labels})


def is_government_user() -> bool:
    """A logged-in member of any department (sysadmins included)."""
    from ckanext.qingyang.sharing import access

    facts = access.user_facts(tk.current_user)
    return facts.sysadmin or facts.government


@qingyang.route("/quality/<path:subpath>")
def quality_docs(subpath: str):
    """Great Expectations Data Docs of each run, for government users only."""
    from flask import send_from_directory

    if not is_government_user():
        tk.abort(403, tk._("数据质量报告仅向政府部门用户开放,请先登录"))
    # send_from_directory refuses paths that leave the folder
    return send_from_directory(tk.config["ckanext.qingyang.quality_dir"], subpath)


def roll_up_organization_page(search_params: dict[str, Any]) -> dict[str, Any]:
    """On an organization's page, list the items of every organization below it too.

    CKAN's page filters on owner_org; a jurisdiction (县政府) owns few items
    itself, so the page searches the org path instead.
    """
    try:
        endpoint = tk.request.endpoint
    except (RuntimeError, TypeError, AttributeError):
        return search_params
    if endpoint != "organization.read":
        return search_params
    fq = search_params.get("fq") or ""
    org_dict = getattr(tk.g, "group_dict", None) or {}
    marker = f'owner_org:"{org_dict.get("id")}"'
    if org_dict and marker in fq:
        search_params["fq"] = fq.replace(marker, f'qy_org_path:"{org_dict["name"]}"')
    return search_params


# ---------------------------------------------------------------- the data gate
@qingyang.before_app_request
def data_gate():
    """Resource downloads (any dataset type's blueprint) and datastore dumps pass here first."""
    from flask import request

    from ckanext.qingyang.sharing import gate

    endpoint = request.endpoint or ""
    args = request.view_args or {}
    if not ((endpoint.endswith(".download") and "resource_id" in args) or endpoint == "datastore.dump"):
        return None
    try:
        gate.gate(_context(), args.get("resource_id"), "download")
    except tk.ObjectNotFound:
        return None  # the view answers 404 itself
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    return None


def _context() -> dict:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def _require_login():
    if not getattr(tk.current_user, "is_authenticated", False):
        tk.abort(403, tk._("请先登录"))


# ---------------------------------------------------------------- share requests
@qingyang.route("/share-requests")
def share_requests():
    """共享与开放申请: my requests, my departments' incoming and outgoing ones, overdue ones."""
    import ckan.model as model

    from ckanext.qingyang.sharing import access

    _require_login()
    ctx = _context()
    facts = access.user_facts(tk.current_user)
    mine = tk.get_action("qingyang_share_request_list")(ctx, {})
    departments = []
    for org in model.Session.query(model.Group).filter(model.Group.id.in_(facts.org_ids)).order_by(model.Group.name):
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


@qingyang.route("/share-requests/new/<package_id>", methods=["GET", "POST"])
def share_request_new(package_id: str):
    import ckan.model as model

    from ckanext.qingyang.sharing import access

    _require_login()
    ctx = _context()
    try:
        pkg = tk.get_action("package_show")(ctx, {"id": package_id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("信息资源不存在"))
    facts = access.user_facts(tk.current_user)
    orgs = model.Session.query(model.Group).filter(model.Group.id.in_(facts.org_ids)).order_by(model.Group.name).all()
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
            return tk.redirect_to("qingyang.share_requests")
    items = [i["item_name"] for i in pkg.get("info_items") or []] if isinstance(pkg.get("info_items"), list) else []
    return tk.render("qingyang/share_request_new.html", {"pkg": pkg, "orgs": orgs, "form": form,
                                                         "errors": errors, "info_items": items})


@qingyang.route("/share-requests/<request_id>/<verb>", methods=["POST"])
def share_request_answer(request_id: str, verb: str):
    _require_login()
    action = {"approve": "qingyang_share_request_decide", "refuse": "qingyang_share_request_decide",
              "revoke": "qingyang_share_request_revoke"}.get(verb)
    if action is None:
        return tk.abort(404)
    data = {"id": request_id, "reason": tk.request.form.get("reason")}
    if verb != "revoke":
        data["decision"] = verb
    try:
        tk.get_action(action)(_context(), data)
        tk.h.flash_success(tk._("已保存"))
    except tk.ValidationError as e:
        tk.h.flash_error(";".join(m for msgs in e.error_dict.values() for m in msgs))
    except (tk.NotAuthorized, tk.ObjectNotFound) as e:
        tk.h.flash_error(str(e) or tk._("无权操作"))
    return tk.redirect_to("qingyang.share_requests")


# ---------------------------------------------------------------- audit log
AUDIT_COLUMNS = (("at", "时间"), ("user_name", "用户"), ("user_orgs", "所在部门"), ("access_label", "访问方式"),
                 ("package_title", "信息资源"), ("resource_id", "资源"), ("grant_id", "授权(申请编号)"),
                 ("client_addr", "客户端地址"), ("seq", "序号"), ("row_hash", "校验值"))


@qingyang.route("/audit")
def audit_log():
    """访问审计: the owner's (or, for the platform admin, every) access record; ?format=csv exports."""
    import csv
    import io

    _require_login()
    query = {k: v for k, v in tk.request.args.items() if k in ("organization", "package_id", "user", "since", "until")}
    try:
        rows = tk.get_action("qingyang_audit_list")(_context(), dict(query, limit=5000))
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    if tk.request.args.get("format") == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([label for _, label in AUDIT_COLUMNS])
        for r in rows:
            writer.writerow([r.get(k) or "" for k, _ in AUDIT_COLUMNS])
        return _download(("\ufeff" + out.getvalue()).encode("utf-8"), "csv", "访问审计记录.csv")
    return tk.render("qingyang/audit.html", {"rows": rows, "query": query, "columns": AUDIT_COLUMNS})


# ---------------------------------------------------------------- notices
@qingyang.route("/notices", methods=["GET", "POST"])
def notice_list():
    _require_login()
    if tk.request.method == "POST":
        tk.get_action("qingyang_notice_read")(_context(), {"id": tk.request.form.get("id")})
        return tk.redirect_to("qingyang.notice_list")
    rows = tk.get_action("qingyang_notice_list")(_context(), {})
    return tk.render("qingyang/notices.html", {"notices": rows})


# ---------------------------------------------------------------- household rows
@qingyang.route("/households/<package_id>", methods=["GET", "POST"])
def households_upload(package_id: str):
    """Upload a poverty project's 受益户明细 (CSV or XLSX with the template's headers)."""
    _require_login()
    ctx = _context()
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


def get_blueprints():
    return [qingyang]

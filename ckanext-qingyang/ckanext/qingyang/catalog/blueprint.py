"""List pages (blueprint `qingyang_catalog`): import templates, list exports, 提交清单 and
提交记录, Data Docs of the checks, the 督查 list of late lists."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import ckan.plugins.toolkit as tk
from flask import Blueprint, send_from_directory

from ckanext.qingyang.catalog import submissions
from ckanext.qingyang.core import listdef, spreadsheets
from ckanext.qingyang.pages import MIMETYPES, download
from ckanext.qingyang.sharing import access

catalog = Blueprint("qingyang_catalog", __name__, url_prefix="/qingyang")


def _list_type_or_404(type_name: str) -> listdef.ListType:
    if type_name not in listdef.TYPE_NAMES:
        tk.abort(404, tk._("清单类型不存在"))
    return listdef.load_type(type_name)


@catalog.route("/template/<type_name>.<fmt>")
def template(type_name: str, fmt: str):
    lt = _list_type_or_404(type_name)
    if fmt not in ("xlsx", "csv"):
        tk.abort(404, tk._("模板格式应为 xlsx 或 csv"))
    return download(spreadsheets.template(lt, fmt), fmt, f"{lt.list_label}导入模板.{fmt}")


@catalog.route("/list/<org_name>/<type_name>.<fmt>")
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
    return download(data, fmt, f"{stem}.{fmt}")


ACCEPTED = (".xlsx", ".csv", ".json")


def _organization_or_404(org_name: str) -> dict:
    try:
        return tk.get_action("organization_show")({}, {"id": org_name, "include_datasets": False})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        tk.abort(404, tk._("部门不存在"))


@catalog.route("/submit/<org_name>", methods=["GET", "POST"])
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
            return tk.redirect_to("qingyang_catalog.submission_list", org_name=org["name"])
    return tk.render("qingyang/submit.html", {"organization": org, "list_types": types})


@catalog.route("/submissions/<org_name>")
def submission_list(org_name: str):
    """提交记录: the department's submissions, their outcome and error reports."""
    org = _organization_or_404(org_name)
    try:
        records = tk.get_action("qingyang_submission_list")({}, {"organization": org["id"]})
    except tk.NotAuthorized:
        tk.abort(403, tk._("只有本部门成员可以查看提交记录"))
    labels = {t: lt.list_label for t, lt in listdef.all_types().items()}
    return tk.render("qingyang/submissions.html", {"organization": org, "records": records, "labels": labels})


@catalog.route("/submissions/<org_name>/<submission_id>/errors.xlsx")
def submission_errors(org_name: str, submission_id: str):
    org = _organization_or_404(org_name)
    try:
        tk.check_access("qingyang_submission_list", {}, {"organization": org["id"]})
    except tk.NotAuthorized:
        tk.abort(403, tk._("只有本部门成员可以查看提交记录"))
    report = submissions.get(org["id"], submission_id)
    if report is None:
        tk.abort(404, tk._("提交记录不存在"))
    lt = listdef.load_type(report["type_name"])
    data = spreadsheets.error_workbook(
        f"{org['title']} {lt.list_label} {report.get('file_name', '')}",
        f"结果:{'已采用' if report['outcome'] == 'accepted' else '未采用'}  {report.get('reason_zh', '')}",
        report.get("problems", []))
    return download(data, "xlsx", f"错误报告-{report.get('file_name', submission_id)}.xlsx")


@catalog.route("/supervision")
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
    facts = access.user_facts(tk.current_user)
    return facts.sysadmin or facts.government


@catalog.route("/quality/<path:subpath>")
def quality_docs(subpath: str):
    """Great Expectations Data Docs of each run, for government users only."""
    if not is_government_user():
        tk.abort(403, tk._("数据质量报告仅向政府部门用户开放,请先登录"))
    # send_from_directory refuses paths that leave the folder
    return send_from_directory(tk.config["ckanext.qingyang.quality_dir"], subpath)

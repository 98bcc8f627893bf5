"""/qingyang/risk: the city's 风险评估报告 (platform admin) and each department's (its members),
with ?format=xlsx / csv downloads of the same rows."""
from __future__ import annotations

import csv
import datetime as dt
import io

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint, redirect
from openpyxl import Workbook
from openpyxl.styles import Font

from ckanext.qingyang.core import risk as rules
from ckanext.qingyang.pages import caller_context, download, require_login
from ckanext.qingyang.sharing import access
from ckanext.qingyang.sharing.share_requests import own_departments

risk = Blueprint("qingyang_risk", __name__, url_prefix="/qingyang/risk")

COLUMNS = (("org_title", "部门"), ("package_title", "事项"), ("where", "位置(字段或行列)"), ("rule_label", "规则"),
           ("masked", "内容(已脱敏)"), ("first_found", "首次发现"), ("last_found", "最近发现"),
           ("status", "状态"), ("closed_on", "整改日期"), ("link", "事项链接"))


def _rows(org: model.Group | None, status: str) -> list[dict]:
    data = {"status": status}
    if org is not None:
        data["organization"] = org.id
    rows = tk.get_action("qingyang_risk_findings")(caller_context(), data)
    titles = {g.id: g.title or g.name for g in model.Session.query(model.Group).filter(
        model.Group.id.in_({r["owner_org"] for r in rows}))} if rows else {}
    base = tk.config.get("ckan.site_url", "").rstrip("/")
    for r in rows:
        r["org_title"] = titles.get(r["owner_org"], r["owner_org"])
        r["link"] = base + r["url"]
    return rows


def _summary(rows: list[dict]) -> list[tuple[str, int]]:
    return [(label, sum(1 for r in rows if r["rule"] == rule)) for rule, label in rules.RULES.items()]


def _report(org: model.Group | None):
    require_login()
    status = tk.request.args.get("status") or "open"
    if status not in ("open", "closed", "all"):
        status = "open"
    try:
        rows = _rows(org, status)
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    title = f"{org.title or org.name}风险评估报告" if org is not None else "全市风险评估报告"
    fmt = tk.request.args.get("format")
    stamp = dt.date.today().isoformat()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([label for _, label in COLUMNS])
        for r in rows:
            writer.writerow([r.get(k) or "" for k, _ in COLUMNS])
        return download(("\ufeff" + out.getvalue()).encode("utf-8"), "csv", f"{title}-{stamp}.csv")
    if fmt == "xlsx":
        book = Workbook()
        sheet = book.active
        sheet.title = "风险评估"
        sheet.append([title, f"生成日期 {stamp}"])
        sheet.append([label for _, label in COLUMNS])
        for cell in sheet[2]:
            cell.font = Font(bold=True)
        for r in rows:
            sheet.append([r.get(k) or "" for k, _ in COLUMNS])
        buf = io.BytesIO()
        book.save(buf)
        return download(buf.getvalue(), "xlsx", f"{title}-{stamp}.xlsx")
    user = tk.current_user
    departments = own_departments(user) if org is None else []
    return tk.render("qingyang/supervision/risk/report.html", {
        "rows": rows, "org": org, "title": title, "status": status, "summary": _summary(rows),
        "is_admin": access.user_facts(user).platform_admin, "departments": departments})


@risk.route("")
def city_report():
    """The platform admin's city report; a department member is sent to their department's."""
    require_login()
    facts = access.user_facts(tk.current_user)
    if not facts.platform_admin:
        own = own_departments(tk.current_user)
        if len(own) == 1:
            # relative: the redirect stays on the host the page was asked from
            return redirect(tk.h.url_for("qingyang_risk.org_report", org_id=own[0].name, **tk.request.args))
        if not own:
            return tk.abort(403, "仅平台管理员可以查看全市的风险评估报告")
        return tk.render("qingyang/supervision/risk/report.html", {
            "rows": None, "org": None, "title": "风险评估报告", "status": "open", "summary": [],
            "is_admin": False, "departments": own})
    return _report(None)


@risk.route("/<org_id>")
def org_report(org_id: str):
    org = model.Group.get(org_id)
    if org is None or not org.is_organization:
        return tk.abort(404, "部门不存在")
    return _report(org)


BLUEPRINTS = [risk]

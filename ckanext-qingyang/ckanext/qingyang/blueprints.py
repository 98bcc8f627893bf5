"""Pages and downloads (IBlueprint): templates and list exports."""
from __future__ import annotations

import urllib.parse
from typing import Any

import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.qingyang import listdef, spreadsheets

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


def get_blueprints():
    return [qingyang]

"""Publishing pages (blueprint `qingyang_publishing`): submit with the declaration, the
待提交审核 and 待我审核 lists, review with a field diff, item history, a department's
publication record, adjustments by 依据 and the public 调整公告 page and Atom feed."""
from __future__ import annotations

import json
from xml.sax.saxutils import escape

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint, Response

from ckanext.qingyang.pages import caller_context, require_login
from ckanext.qingyang.publishing import item, marker_gate, submit, workflow
from ckanext.qingyang.sharing import access

publishing = Blueprint("qingyang_publishing", __name__, url_prefix="/qingyang")


def _errors(e: Exception) -> list[str]:
    """Messages for people; the actions' messages name their item or field themselves."""
    if isinstance(e, tk.ValidationError):
        return [str(m) for ms in e.error_dict.values() for m in (ms if isinstance(ms, list) else [ms])]
    return [str(e) or tk._("无权操作")]


def _item(ref: str) -> dict:
    try:
        return tk.get_action("package_show")(caller_context(), {"id": ref})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        return tk.abort(404, tk._("事项不存在"))


def _proposed(pkg: dict) -> tuple[dict | None, dict]:
    """(published content or None, content under review) for the diff."""
    opened = workflow.open_version(pkg["id"])
    if opened and opened["change"] in workflow.REVISIONS and opened.get("data"):
        return pkg, item.proposed_content(pkg["id"], opened)
    return None, pkg


@publishing.route("/items/<id>/submit", methods=["GET", "POST"])
def item_submit(id: str):
    require_login()
    pkg = _item(id)
    errors: list[str] = []
    if tk.request.method == "POST":
        try:
            tk.get_action("qingyang_item_submit")(caller_context(), {"id": pkg["id"],
                                                               "declaration": tk.request.form.get("declaration")})
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            errors = _errors(e)
        else:
            tk.h.flash_success(tk._("已提交审核"))
            return tk.redirect_to(f"{pkg['type']}.read", id=pkg["name"])
    old, new = _proposed(pkg)
    try:
        offices = [o.title for o in workflow.offices_for(pkg["type"], pkg["owner_org"]).values()]
    except tk.ValidationError as e:
        offices, errors = [], errors + _errors(e)
    return tk.render("qingyang/item_submit.html", {
        "pkg": pkg, "errors": errors, "declaration": workflow.DECLARATION, "offices": offices,
        "changes": workflow.diff(pkg["type"], old, new), "markers": marker_gate.marker_findings(pkg["type"], new)})


@publishing.route("/drafts/<org_name>", methods=["GET", "POST"])
def drafts(org_name: str):
    """待提交: a department's drafts, returned items and unsubmitted revisions; submit many at once."""
    require_login()
    org = model.Group.get(org_name)
    if org is None or not org.is_organization:
        return tk.abort(404, tk._("部门不存在"))
    if not tk.h.check_access("package_create", {"owner_org": org.id}):
        return tk.abort(403, tk._("只有本部门的编辑和管理员可以提交审核"))
    errors: list[str] = []
    if tk.request.method == "POST":
        try:
            done = tk.get_action("qingyang_item_submit")(caller_context(), {
                "ids": tk.request.form.getlist("ids"), "declaration": tk.request.form.get("declaration")})
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            errors = _errors(e)
        else:
            tk.h.flash_success(tk._("已提交审核 {n} 项").format(n=len(done["submitted"])))
            return tk.redirect_to("qingyang_publishing.drafts", org_name=org.name)
    return tk.render("qingyang/drafts.html", {"org": org, "rows": submit.unsubmitted(org.id),
                                              "errors": errors, "declaration": workflow.DECLARATION})


@publishing.route("/review")
def review_queue():
    require_login()
    ctx = caller_context()
    queue = tk.get_action("qingyang_review_queue")(ctx, {})
    overdue = None
    if access.user_facts(tk.current_user).platform_admin:
        overdue = tk.get_action("qingyang_review_queue")(ctx, {"all": True, "overdue": True})
    return tk.render("qingyang/review_queue.html", {"queue": queue, "overdue": overdue})


@publishing.route("/review/bulk", methods=["POST"])
def review_bulk():
    require_login()
    ids = tk.request.form.getlist("ids")
    try:
        result = tk.get_action("qingyang_item_review_bulk")(caller_context(), {"ids": ids, "reason": tk.request.form.get("reason")})
    except tk.ValidationError as e:
        tk.h.flash_error(";".join(_errors(e)))
        return tk.redirect_to("qingyang_publishing.review_queue")
    if result["approved"]:
        tk.h.flash_success(tk._("已通过 {n} 项").format(n=len(result["approved"])))
    for name, messages in result["errors"].items():
        tk.h.flash_error(f"{name}:{';'.join(messages)}")
    return tk.redirect_to("qingyang_publishing.review_queue")


@publishing.route("/review/<id>", methods=["GET", "POST"])
def review_item(id: str):
    require_login()
    pkg = _item(id)
    errors: list[str] = []
    if tk.request.method == "POST":
        form = tk.request.form
        try:
            tk.get_action("qingyang_item_review")(caller_context(), {"id": pkg["id"], "decision": form.get("decision"),
                                                               "reason": form.get("reason")})
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            errors = _errors(e)
        else:
            tk.h.flash_success(tk._("审核意见已记录"))
            return tk.redirect_to("qingyang_publishing.review_queue")
    old, new = _proposed(pkg)
    return tk.render("qingyang/review_item.html", {
        "pkg": pkg, "errors": errors, "opened": workflow.open_version(pkg["id"]),
        "changes": workflow.diff(pkg["type"], old, new), "first": old is None,
        "markers": marker_gate.marker_findings(pkg["type"], new)})


@publishing.route("/items/<id>/history")
def item_history(id: str):
    pkg = _item(id)
    history = tk.get_action("qingyang_item_history")(caller_context(), {"id": pkg["id"]})
    return tk.render("qingyang/item_history.html", {"pkg": pkg, "history": history})


@publishing.route("/adjust", methods=["GET", "POST"])
def adjust():
    require_login()
    ctx = caller_context()
    q = tk.request.values.get("q", "")
    found, errors, done = None, [], None
    if q:
        try:
            found = tk.get_action("qingyang_basis_search")(ctx, {"q": q})
        except tk.ValidationError as e:
            errors = _errors(e)
    if tk.request.method == "POST":
        form = tk.request.form
        try:
            done = tk.get_action("qingyang_adjust")(ctx, {
                "ids": form.getlist("ids"), "action": form.get("action"), "reason": form.get("reason"),
                "basis": form.get("basis"), "cited": form.get("cited") or q,
                "changes": json.loads(form.get("changes") or "{}")})
        except json.JSONDecodeError:
            errors = [tk._("修改内容应为 JSON,如 {\"time_limit_days\": \"15\"}")]
        except (tk.ValidationError, tk.NotAuthorized, tk.ObjectNotFound) as e:
            errors = _errors(e)
        else:
            tk.h.flash_success(tk._("已调整 {n} 项并发布调整公告").format(n=len(done["items"])))
            return tk.redirect_to("qingyang_publishing.adjustments")
    return tk.render("qingyang/adjust.html", {"q": q, "found": found, "errors": errors,
                                              "form": dict(tk.request.form)})


@publishing.route("/adjustments")
def adjustments():
    rows = tk.get_action("qingyang_adjustment_list")(caller_context(), {})
    return tk.render("qingyang/adjustments.html", {"rows": rows})


@publishing.route("/adjustments.atom")
def adjustments_feed():
    rows = tk.get_action("qingyang_adjustment_list")(caller_context(), {"limit": 50})
    page = tk.url_for("qingyang_publishing.adjustments", _external=True)
    updated = rows[0]["at"] if rows else "2017-01-01T00:00:00"
    entries = []
    for r in rows:
        names = "、".join(i["title"] for i in r["items"])
        summary = f"{r['office']}{r['action_label']}{len(r['items'])}项:{names}。原因:{r['reason']};依据:{r['basis']}"
        links = "".join(f'<link rel="related" href="{escape(tk.url_for(i["type"] + ".read", id=i["name"], _external=True))}"/>'
                        for i in r["items"])
        entries.append(
            f"<entry><id>urn:uuid:{r['id']}</id><title>{escape(r['action_label'] + ':' + names[:60])}</title>"
            f"<updated>{r['at']}Z</updated><link href=\"{escape(page)}#{r['id']}\"/>{links}"
            f"<summary>{escape(summary)}</summary></entry>")
    body = ('<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
            f"<id>{escape(page)}</id><title>{escape(tk.config.get('ckan.site_title') or '')} 清单调整公告</title>"
            f"<updated>{updated}Z</updated><link rel=\"self\" href=\"{escape(tk.request.url)}\"/>"
            f"<link href=\"{escape(page)}\"/>{''.join(entries)}</feed>")
    return Response(body, mimetype="application/atom+xml")


@publishing.route("/publications/<org_name>")
def publications(org_name: str):
    require_login()
    org = model.Group.get(org_name)
    if org is None:
        return tk.abort(404, tk._("部门不存在"))
    try:
        rows = tk.get_action("qingyang_publication_list")(caller_context(), {"organization": org.id})
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    return tk.render("qingyang/publications.html", {"org": org, "rows": rows})

"""订阅's pages (blueprint `qingyang_subscriptions`):

- /subscriptions: what can be followed (the list types; a department chosen by place, then
  ?organization=<name>), the Atom links for anyone, the signed-in user's mail subscriptions;
- POST /subscriptions (subscribe; to the login page first when signed out), POST
  /subscriptions/<id>/delete, /subscriptions/unsubscribe/<token> (the mail's link, no login);
- /subscriptions/feeds/organization/<name>.atom and /subscriptions/feeds/list/<type>.atom.
"""
from __future__ import annotations

from flask import Blueprint, Response, redirect

import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import listdef
from ckanext.qingyang.pages import call_or_abort, caller_context
from ckanext.qingyang.portal.blueprint import _safe_next
from ckanext.qingyang.subscriptions import changes, feed

subscriptions = Blueprint("qingyang_subscriptions", __name__)


def _signed_in() -> bool:
    return bool(getattr(tk.current_user, "is_authenticated", False))


@subscriptions.route("/subscriptions")
def index():
    from ckanext.qingyang.boards.forms import department_choices

    signed_in = _signed_in()
    mine = tk.get_action("qingyang_subscription_list")(caller_context(), {}) if signed_in else []
    followed = {(s["kind"], s["name"]): s for s in mine}
    chosen = tk.request.args.get("organization", "")
    department = changes.describe("organization", chosen) if chosen else None
    return tk.render("qingyang/subscriptions/index.html", {
        "mine": mine, "followed": followed, "types": list(listdef.all_types().values()),
        "chosen": chosen, "department": department,
        "places": department_choices(), "signed_in": signed_in,
        "email": tk.current_user.email if signed_in else ""})


@subscriptions.route("/subscriptions", methods=["POST"])
def create():
    form = tk.request.form
    back = _safe_next(form.get("next") or tk.h.url_for("qingyang_subscriptions.index"))
    if not _signed_in():
        return redirect(tk.h.url_for("user.login", came_from=back), code=303)
    try:
        made = tk.get_action("qingyang_subscription_create")(caller_context(), {
            "kind": form.get("kind"), "target": form.get("target")})
    except tk.ValidationError as e:
        tk.h.flash_error("".join(m for msgs in e.error_dict.values() for m in msgs))
        return redirect(back, code=303)
    tk.h.flash_success(tk._("已订阅“{label}”的更新:有变化时,每天最多给 {email} 发一封邮件。").format(
        label=made["label"], email=tk.current_user.email))
    return redirect(back, code=303)


@subscriptions.route("/subscriptions/<id>/delete", methods=["POST"])
def delete(id: str):
    gone = call_or_abort("qingyang_subscription_delete", {"id": id})
    tk.h.flash_success(tk._("已退订“{label}”。").format(label=gone["label"]))
    return redirect(_safe_next(tk.request.form.get("next") or tk.h.url_for("qingyang_subscriptions.index")),
                    code=303)


@subscriptions.route("/subscriptions/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token: str):
    """The mail's link: a page with one button (a GET must not unsubscribe: mail scanners follow links)."""
    done = None
    if tk.request.method == "POST":
        done = call_or_abort("qingyang_subscription_delete", {"token": token})
    return tk.render("qingyang/subscriptions/unsubscribe.html", {"token": token, "done": done})


def _atom(kind: str, target: str, self_url: str, page_url: str) -> Response:
    about = changes.describe(kind, target)
    if about is None:
        return tk.abort(404, tk._("没有这个部门或清单类型"))
    found = changes.search(caller_context(), kind, about["target"])
    return Response(feed.atom(about, found, self_url, page_url), mimetype="application/atom+xml")


@subscriptions.route("/subscriptions/feeds/organization/<name>.atom")
def organization_feed(name: str):
    return _atom("organization", name, tk.h.url_for("qingyang_subscriptions.organization_feed", name=name,
                                                     _external=True),
                 tk.h.url_for("organization.read", id=name, _external=True))


@subscriptions.route("/subscriptions/feeds/list/<type_name>.atom")
def list_feed(type_name: str):
    return _atom("list_type", type_name, tk.h.url_for("qingyang_subscriptions.list_feed", type_name=type_name,
                                                       _external=True),
                 tk.h.url_for(f"{type_name}.search", _external=True) if type_name in listdef.TYPE_NAMES else "")

"""The boards' pages (blueprint `qingyang_boards`).

Citizens, no account: /ask (我要问, the form), /track (我要查, by 查询码, with the rating
form), /answers (我要看, the published answers, their Atom feed, the departments'
figures and the notices). Staff, logged in: /boards/inbox (留言办理), /boards/centre (受理),
/boards/supervise (督办), /boards/moderation (公开审核) and a message's page with its forms.
Every step is an action (actions.py); these pages only call them, so the actions' auth
decides who may do what.
"""
from __future__ import annotations

import datetime as dt
import urllib.parse
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint, Response, redirect, session

from ckanext.qingyang.boards import feed, forms
from ckanext.qingyang.boards.ratelimit import ask_limit, attach, limiter, not_a_lookup, track_limit
from ckanext.qingyang.pages import caller_context, require_login

boards = Blueprint("qingyang_boards", __name__)
boards.record_once(attach)

RATINGS = ("满意", "基本满意", "不满意")
SESSION_CODE = "qingyang_board_code"


def _(text: str) -> str:
    return tk._(text)


def _rows() -> int:
    return tk.config.get("ckanext.qingyang.boards.page_rows")


def _page() -> int:
    try:
        return max(1, int(tk.request.args.get("page", 1)))
    except ValueError:
        return 1


def _messages(e: Exception) -> list[str]:
    if isinstance(e, tk.ValidationError):
        return [m for ms in forms.errors_by_field(e.error_dict).values() for m in ms]
    return [str(e) or _("无权操作")]


@boards.before_request
def never_kept():
    """No proxy or browser cache keeps a boards page: /ask carries a single-use captcha
    token, /track a message (CKAN would mark anonymous pages public)."""
    tk.request.environ["__no_cache__"] = True


@boards.after_request
def code_stays_here(response):
    """/track?code=… must not hand the code to another site in a Referer header."""
    response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@boards.errorhandler(429)
def too_many(e):
    return tk.render("qingyang/boards/too_many.html", {"limit": getattr(e, "description", "")}), 429


# -- 我要问

def _ask_page(data: dict[str, Any], errors: dict[str, list[str]], status: int = 200):
    return tk.render("qingyang/boards/ask.html", {
        "data": data, "errors": errors, "kinds": forms.KINDS, "kind_hints": forms.KIND_HINTS,
        "places": forms.place_choices(), "departments": forms.department_choices(),
        "captcha": forms.new_captcha(), "max_content": forms.MAX_CONTENT,
        "max_title": forms.MAX_TITLE, "max_files": forms.MAX_FILES,
        "unknown": forms.UNKNOWN, "honeypot": forms.HONEYPOT,
        "field_order": forms.FIELDS, "rules": forms.rules()}), status


@boards.route("/ask", methods=["GET"])
def ask():
    return _ask_page({"jurisdiction": forms.default_place(), "organization": "",
                      "publish_consent": False}, {})


@boards.route("/ask", methods=["POST"])
@limiter.limit(ask_limit, error_message=lambda: tk._("提交太频繁了,请过一会儿再试。"))
def ask_post():
    form, files = tk.request.form, tk.request.files
    data = forms.read(form, files)
    if forms.honeypot_filled(form):
        # a robot: refused as a whole, nothing stored, nothing said about why
        return _ask_page(forms.kept(data), {"": [_("提交没有成功,请刷新页面后重新填写。")]}, 400)
    errors = forms.web_checks(data)
    if not forms.check_captcha(form.get("captcha_token", ""), form.get("captcha", "")):
        errors["captcha"] = [_("验证码:不对,请看新的图片重新输入")]
    if errors:
        return _ask_page(forms.kept(data), errors, 400)
    context = dict(caller_context(), qingyang_captcha_passed=True)
    try:
        message = tk.get_action("qingyang_message_create")(context, dict(data))
    except tk.ValidationError as e:
        return _ask_page(forms.kept(data), forms.errors_by_field(e.error_dict), 400)
    except tk.NotAuthorized as e:
        return _ask_page(forms.kept(data), {"": [str(e) or _("提交没有成功,请稍后再试。")]}, 403)
    # Post/Redirect/Get: a reload of the answer page must not send the message again
    session[SESSION_CODE] = message["code"]
    return redirect(tk.h.url_for("qingyang_boards.ask_done"), code=303)


@boards.route("/ask/done")
def ask_done():
    code = session.pop(SESSION_CODE, None)
    return tk.render("qingyang/boards/ask_done.html", {"code": code})


@boards.route("/ask/captcha/<token>.png")
def captcha_image(token: str):
    png = forms.captcha_png(token, renew=bool(tk.request.args.get("new")))
    if png is None:
        return tk.abort(404, _("验证码已过期,请刷新页面"))
    return Response(png, mimetype="image/png", headers={"Cache-Control": "no-store"})


# -- 我要查

def _by_code(code: str) -> dict | None:
    """The message of a code; None for an unknown or malformed one (the same answer).
    Over the action's own lookup limit per address: the 429 page."""
    try:
        return tk.get_action("qingyang_message_show")(caller_context(), {"code": code})
    except tk.ObjectNotFound:
        return None
    except tk.ValidationError as e:
        if "code" in e.error_dict:
            return tk.abort(429, "".join(e.error_dict["code"]))
        return None


@boards.route("/track", methods=["GET"])
@limiter.limit(track_limit, exempt_when=not_a_lookup,
               error_message=lambda: tk._("查询太频繁了,请过一会儿再试。"))
def track():
    code = (tk.request.args.get("code") or "").strip().upper()
    message = _by_code(code) if code else None
    case_no = (tk.request.args.get("case_no") or "").strip().upper()
    case_code = (tk.request.args.get("case_code") or "").strip()
    case = _case(case_no, case_code) if case_no or case_code else None
    notice = session.pop("qingyang_board_notice", None)
    missed = (code and message is None) or ((case_no or case_code) and case is None)
    return tk.render("qingyang/boards/track.html", {
        "code": code, "message": message, "ratings": RATINGS, "notice": notice, "errors": [],
        "case_no": case_no, "case_code": case_code, "case": case}), (404 if missed else 200)


def _case(case_no: str, code: str) -> dict | None:
    """查办件 (supervision/efficiency): None for an unknown number, a wrong code or a blank."""
    try:
        return tk.get_action("qingyang_case_track")(caller_context(), {"case_no": case_no, "code": code})
    except tk.ObjectNotFound:
        return None
    except tk.ValidationError as e:
        if "lookup" in e.error_dict:
            return tk.abort(429, "".join(e.error_dict["lookup"]))
        return None


@boards.route("/track/rate", methods=["POST"])
@limiter.limit(track_limit, error_message=lambda: tk._("查询太频繁了,请过一会儿再试。"))
def rate():
    code = (tk.request.form.get("code") or "").strip().upper()
    rating = tk.request.form.get("rating") or ""
    try:
        tk.get_action("qingyang_message_rate")(caller_context(), {
            "code": code, "rating": rating, "note": (tk.request.form.get("note") or "").strip()})
    except tk.ObjectNotFound:
        return tk.render("qingyang/boards/track.html", {
            "code": code, "message": None, "ratings": RATINGS, "errors": []}), 404
    except (tk.ValidationError, tk.NotAuthorized) as e:
        return tk.render("qingyang/boards/track.html", {
            "code": code, "message": _by_code(code), "ratings": RATINGS,
            "errors": _messages(e)}), 400
    session["qingyang_board_notice"] = _("谢谢您的评价。")
    return redirect(tk.h.url_for("qingyang_boards.track", code=code) + "#qy-rating", code=303)


@boards.route("/track/attachments/<id>/<attachment_id>")
@limiter.limit(track_limit, error_message=lambda: tk._("查询太频繁了,请过一会儿再试。"))
def track_attachment(id: str, attachment_id: str):
    """The asker's own attachments, with the code (files.py checks it)."""
    return _send_attachment(id, attachment_id, code=(tk.request.args.get("code") or "").strip().upper())


# -- 我要看

def _month_choices() -> list[str]:
    today = dt.date.today()
    out, year, month = [], today.year, today.month
    for _i in range(24):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return out


def _public_departments() -> list[dict[str, str]]:
    return [d for place in forms.department_choices() for d in place.departments]


def _published(args, page: int, rows: int) -> dict[str, Any]:
    data = {"scope": "public", "rows": rows, "start": (page - 1) * rows}
    for key in ("q", "organization", "kind", "month"):
        if args.get(key):
            data[key] = args[key].strip()
    try:
        found = tk.get_action("qingyang_message_list")(caller_context(), data)
    except tk.ValidationError as e:
        found = {"count": 0, "results": [], "error": _messages(e)}
    count = found.get("count") or 0
    return dict(found, page=page, rows=rows, pages=max(1, -(-count // rows)))


@boards.route("/answers")
def answers():
    args = tk.request.args
    found = _published(args, _page(), _rows())
    try:
        figures = tk.get_action("qingyang_board_figures")(caller_context(), {})
    except (tk.ValidationError, tk.NotAuthorized, KeyError):
        figures = []
    adjustments = tk.get_action("qingyang_adjustment_list")(caller_context(), {"limit": 5})
    return tk.render("qingyang/boards/answers.html", {
        "found": found, "args": {k: args.get(k, "") for k in ("q", "organization", "kind", "month")},
        "kinds": forms.KINDS, "months": _month_choices(), "departments": _public_departments(),
        "figures": figures if isinstance(figures, list) else figures.get("results", []),
        "adjustments": adjustments, "notices": feed.notices()})


@boards.route("/answers.atom")
def answers_feed():
    found = _published(tk.request.args, 1, 50)
    return Response(feed.atom(found["results"]), mimetype="application/atom+xml")


# -- staff

def _staff_orgs() -> list[dict[str, Any]]:
    return tk.get_action("organization_list_for_user")(caller_context(), {"permission": "read"})


# what each staff list shows unless "全部" is asked for: what waits for that reader
WAITING = {"inbox": "dispatched,processing,extension_requested",
           "centre": "pending,extension_requested"}


def _staff_list(scope: str, template: str, extra: dict[str, Any] | None = None):
    require_login()
    args = tk.request.args
    page, rows = _page(), _rows()
    orgs = _staff_orgs()
    chosen = args.get("organization") or (orgs[0]["name"] if orgs and scope == "inbox" else "")
    data = {"scope": scope, "rows": rows, "start": (page - 1) * rows}
    if chosen:
        data["organization"] = chosen
    for key in ("kind", "overdue", "q"):
        if args.get(key):
            data[key] = args[key]
    shown = args.get("show") or ("waiting" if scope in WAITING else "all")
    if shown == "waiting" and scope in WAITING:
        data["status"] = WAITING[scope]
    try:
        found = tk.get_action("qingyang_message_list")(caller_context(), data)
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e) or _("无权查看"))
    count = found.get("count") or 0
    found = dict(found, page=page, rows=rows, pages=max(1, -(-count // rows)))
    return tk.render(template, dict({"found": found, "orgs": orgs, "chosen": chosen, "scope": scope,
                                     "shown": shown, "may_filter": scope in WAITING,
                                     "notice": session.pop("qingyang_board_notice", None)},
                                    **(extra or {})))


@boards.route("/boards/")
def staff_home():
    return redirect(tk.h.url_for("qingyang_boards.inbox"))


@boards.route("/boards/inbox")
def inbox():
    return _staff_list("inbox", "qingyang/boards/inbox.html")


@boards.route("/boards/centre")
def centre():
    return _staff_list("centre", "qingyang/boards/centre.html")


@boards.route("/boards/supervise")
def supervise():
    return _staff_list("supervise", "qingyang/boards/supervise.html")


@boards.route("/boards/moderation")
def moderation():
    return _staff_list("moderation", "qingyang/boards/moderation.html")


def _staff_message(id: str) -> dict:
    try:
        return tk.get_action("qingyang_message_show")(caller_context(), {"id": id})
    except tk.ObjectNotFound:
        return tk.abort(404, _("留言不存在"))
    except tk.NotAuthorized:
        return tk.abort(403, _("无权查看这条留言"))


def _message_page(message: dict, errors: list[str], status: int = 200, form: dict | None = None):
    orgs = _transfer_targets(message)
    return tk.render("qingyang/boards/message.html", {
        "message": message, "errors": errors, "form": form or {},
        "reject_reasons": list(forms.rules().reject_reasons.items()), "departments": orgs,
        "notice": session.pop("qingyang_board_notice", None)}), status


def _transfer_targets(message: dict) -> list[dict[str, str]]:
    own = (message.get("organization") or {}).get("name")
    return [d for d in _public_departments() if d["name"] != own]


@boards.route("/boards/messages/<id>")
def message(id: str):
    require_login()
    return _message_page(_staff_message(id), [])


# each form of the message page: the action it calls and the fields it sends
STEPS = {
    "accept": ("qingyang_message_accept", ("organization", "note")),
    "reject": ("qingyang_message_reject", ("reason", "note")),
    "transfer": ("qingyang_message_transfer", ("organization", "reason")),
    "reply": ("qingyang_message_reply", ("text",)),
    "extend": ("qingyang_message_extend", ("reason",)),
    "decide_extension": ("qingyang_message_decide_extension", ("approve", "reason")),
    "publish": ("qingyang_message_publish", ("approve", "note")),
    "supervise": ("qingyang_message_supervise", ("due", "note")),
}
DONE = {"accept": "已受理。", "reject": "已作为无效留言退回。", "transfer": "已转办。", "reply": "答复已提交。",
        "extend": "延期申请已提交,等待政务服务中心审核。", "decide_extension": "延期申请已处理。",
        "publish": "公开审核已处理。", "supervise": "督办单已发出。"}


@boards.route("/boards/messages/<id>/<any(" + ", ".join(STEPS) + "):step>", methods=["POST"])
def step(id: str, step: str):
    require_login()
    action, fields = STEPS[step]
    form = tk.request.form
    data: dict[str, Any] = {"id": id}
    for name in fields:
        value = (form.get(name) or "").strip()
        data[name] = (value in ("1", "true", "yes")) if name == "approve" else value
    try:
        tk.get_action(action)(caller_context(), data)
    except tk.ObjectNotFound:
        return tk.abort(404, _("留言不存在"))
    except (tk.ValidationError, tk.NotAuthorized) as e:
        return _message_page(_staff_message(id), _messages(e), 400, dict(form, step=step))
    session["qingyang_board_notice"] = _(DONE[step])
    back = tk.request.form.get("next") or ""
    if back.startswith("/boards/") and "//" not in back:
        return redirect(back, code=303)
    return redirect(tk.h.url_for("qingyang_boards.message", id=id), code=303)


@boards.route("/boards/messages/<id>/attachments/<attachment_id>")
def attachment(id: str, attachment_id: str):
    require_login()
    return _send_attachment(id, attachment_id)


def _send_attachment(id: str, attachment_id: str, code: str | None = None):
    """A download, never shown inline: the type files.py sniffed from the content, and a
    name that only the filename* parameter carries (it may be anything a citizen typed)."""
    from ckanext.qingyang.boards import files

    try:
        f, filename, mimetype = files.open_attachment(id, attachment_id, tk.current_user, code=code)
    except tk.ObjectNotFound:
        return tk.abort(404, _("附件不存在"))
    with f:
        data = f.read()
    quoted = urllib.parse.quote(filename)
    return Response(data, mimetype=mimetype or "application/octet-stream", headers={
        "Content-Disposition": f"attachment; filename=\"attachment\"; filename*=UTF-8''{quoted}",
        "X-Content-Type-Options": "nosniff"})


BLUEPRINTS = [boards]


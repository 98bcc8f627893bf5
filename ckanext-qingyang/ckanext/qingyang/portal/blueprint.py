"""Portal pages (blueprint `qingyang_portal`): search, the three themes, the jurisdiction
chooser, and the printable document checklist of a 办事指南. The home page is CKAN's own
route with the portal's template (templates/home/index.html); the guide is the item's own
page (templates/scheming/package/read.html)."""
from __future__ import annotations

import urllib.parse

import ckan.plugins.toolkit as tk
from flask import Blueprint, redirect

from ckanext.qingyang.pages import caller_context
from ckanext.qingyang.portal import cache, jurisdictions, themes
from ckanext.qingyang.portal.search import THEMES

portal = Blueprint("qingyang_portal", __name__)
# anonymous visitors' pages come from Redis until the catalog changes (cache.py)
portal.before_app_request(cache.serve_kept_page)
portal.after_app_request(cache.keep_page)

COOKIE_AGE = 365 * 24 * 3600
SUNSHINE_LISTS = ("power", "fund", "poverty")


def _page() -> int:
    try:
        return max(1, int(tk.request.args.get("page", 1)))
    except ValueError:
        return 1


def _safe_next(value: str | None) -> str:
    """Only a path on this site (the chooser must not redirect anywhere else), in the
    visitor's language: CKAN strips the /en/ prefix from request paths."""
    value = value or "/"
    parts = urllib.parse.urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        value, parts = "/", urllib.parse.urlsplit("/")
    path = urllib.parse.urlunsplit(("", "", parts.path or "/", parts.query, ""))
    lang = tk.h.lang()
    if lang and lang != tk.config.get("ckan.locale_default") and not path.startswith(f"/{lang}/"):
        path = f"/{lang}{path}"
    return path


def _grouped(q: str, types: str, fq: list[str], chosen: jurisdictions.Jurisdiction,
             rows: int = themes.PAGE) -> dict:
    page = _page()
    try:
        found = tk.get_action("qingyang_portal_search")(caller_context(), {
            "q": q, "type": types, "jurisdiction": chosen.code, "rows": rows,
            "start": (page - 1) * rows, "fq_list": fq})
    except tk.ValidationError as e:
        return {"count": 0, "groups": [], "words": [], "error": e.error_dict, "page": page, "rows": rows}
    return dict(found, page=page, rows=rows, pages=max(1, -(-found["count"] // rows)))


@portal.route("/search")
def search():
    q = tk.request.args.get("q", "").strip()
    types = tk.request.args.get("type", "")
    if types and types not in THEMES:
        types = ""
    chosen = jurisdictions.current()
    found = _grouped(q, types, [], chosen, rows=10) if q else None
    return tk.render("qingyang/portal/search.html", {
        "q": q, "type": types, "found": found, "chosen": chosen})


@portal.route("/theme/<theme>")
def theme(theme: str):
    if theme not in THEMES:
        return tk.abort(404, tk._("没有这个主题"))
    chosen = jurisdictions.current()
    args = tk.request.args
    extra = {"theme": theme, "chosen": chosen,
             "counts": themes.theme_counts(chosen)}
    if theme == "sunshine":
        which = args.get("list") if args.get("list") in SUNSHINE_LISTS else "power"
        extra["list"] = which
        if which == "power":
            extra["data"] = themes.powers(chosen, args.get("org", ""), args.get("power_type", ""))
        elif which == "fund":
            extra["data"] = themes.funds(chosen, args.get("year", ""), args.get("org", ""),
                                         args.get("page", 1, type=int))
        else:
            extra["data"] = themes.poverty(chosen, args.get("year", ""), args.get("county", ""),
                                           args.get("township", ""))
        extra["args"] = dict(args)
        return tk.render("qingyang/portal/sunshine.html", extra)
    # 服务对象: everyone's items unless 个人 or 法人 is chosen
    audience = args.get("audience") if args.get("audience") in ("personal", "legal_person") else ""
    topic, org = args.get("topic", ""), args.get("org", "")
    base = themes.filters(chosen, list(THEMES[theme]))
    for_audience = [f'qy_audience:"{audience}"'] if audience else []
    fq = for_audience + ([f'qy_topic:"{topic}"'] if topic else []) + ([f'organization:"{org}"'] if org else [])
    # the topics and the departments that serve the chosen audience, in one search
    counted = themes.facets(base + for_audience, {"qy_topic": None, "organization": None})
    extra.update(audience=audience, topic=topic, org=org,
                 topics=themes.topics(counted["qy_topic"], audience),
                 departments=counted["organization"],
                 found=_grouped("", theme, fq, chosen))
    return tk.render("qingyang/portal/services.html", extra)


@portal.route("/jurisdiction")
def jurisdiction():
    """The chooser; `?code=` sets the choice (a preference, so a plain link may set it)."""
    nxt = _safe_next(tk.request.args.get("next"))
    if "code" in tk.request.args:
        chosen = jurisdictions.by_code(tk.request.args["code"])
        if chosen is None:
            return tk.abort(400, tk._("未知的地区代码"))
        response = redirect(nxt)
        response.set_cookie(jurisdictions.COOKIE, chosen.code, max_age=COOKIE_AGE,
                            samesite="Lax", httponly=True)
        return response
    return tk.render("qingyang/portal/jurisdiction.html", {
        "tree": jurisdictions.tree(), "chosen": jurisdictions.current(), "next": nxt})


@portal.route("/qingyang/guide/<id>/print")
def guide_print(id: str):
    try:
        guide = tk.get_action("qingyang_guide_show")(caller_context(), {"id": id})
    except (tk.ObjectNotFound, tk.NotAuthorized):
        # as /dataset/<name> answers: a hidden item does not exist for this caller
        return tk.abort(404, tk._("事项不存在"))
    return tk.render("qingyang/portal/guide_print.html", {"pkg": guide["item"], "guide": guide})

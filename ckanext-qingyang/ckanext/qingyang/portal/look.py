"""The site-wide look: display modes (大字 / 高对比), the page's language, the language switch
and the facts a search result card shows.

Display-mode contract
---------------------
- Cookie `qy_display`: the modes that are on, joined by "-", in any order: `large`,
  `contrast`, `large-contrast`; absent, empty or `normal` means neither. Unknown words are
  ignored. Path `/`, one year, SameSite=Lax, readable by JS (not HttpOnly).
- The page (templates/base.html) reads the cookie on the server and puts `qy-large` /
  `qy-contrast` on <html> and <body>, so it arrives in its mode without a flash.
- Without JS: GET `/display?mode=<modes>&next=<local path>` sets the cookie to exactly
  `<modes>` (`normal` clears it) and redirects to `next` (only a path on this site;
  anything else goes to `/`). The header's toggles link there with the mode set they
  would switch to.
- With JS (assets/display.js): a click on a toggle sets the same cookie and switches the
  classes in place, without a request.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import ckan.model as model
import ckan.plugins.toolkit as tk
from flask import Blueprint, make_response, redirect, request

from ckanext.qingyang.catalog import jurisdiction
from ckanext.qingyang.catalog.search import LEVEL_LABELS, TYPE_LABELS
from ckanext.qingyang.core import listdef

COOKIE = "qy_display"
MODES = ("large", "contrast")          # the order they are written in
COOKIE_MAX_AGE = 365 * 24 * 3600

display = Blueprint("qingyang_display", __name__)


def parse_modes(value: str | None) -> list[str]:
    words = set(re.split(r"[-,+\s]+", value or ""))
    return [m for m in MODES if m in words]


def cookie_value(modes: list[str]) -> str:
    return "-".join(m for m in MODES if m in modes)


def display_modes() -> list[str]:
    """The modes of this request, from its cookie."""
    try:
        return parse_modes(tk.request.cookies.get(COOKIE))
    except (RuntimeError, AttributeError):    # no request (e.g. a mail template)
        return []


def _current_path() -> str:
    try:
        full = tk.request.full_path          # path?query, without the locale prefix
    except (RuntimeError, AttributeError):
        return "/"
    return full[:-1] if full.endswith("?") else full


def display_toggle(mode: str) -> dict[str, Any]:
    """One header toggle: is it on, and the no-JS link that switches it."""
    on = display_modes()
    pressed = mode in on
    target = [m for m in on if m != mode] if pressed else on + [mode]
    url = tk.h.url_for("qingyang_display.set_mode", mode=cookie_value(target) or "normal",
                       next=_current_path())
    return {"mode": mode, "pressed": pressed, "url": url}


def _safe_next(target: str | None) -> str:
    """Only a path on this site: no scheme, no host, no protocol-relative //."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    parts = urlsplit(target)
    return "/" if parts.scheme or parts.netloc else target


@display.route("/display")
def set_mode():
    modes = parse_modes(request.args.get("mode"))
    response = make_response(redirect(_safe_next(request.args.get("next")), code=303))
    if modes:
        response.set_cookie(COOKIE, cookie_value(modes), max_age=COOKIE_MAX_AGE, path="/",
                            samesite="Lax")
    else:
        response.delete_cookie(COOKIE, path="/")
    return response


def is_chinese() -> bool:
    return (tk.h.lang() or "").startswith("zh")


def html_lang() -> str:
    """`zh-CN` on Chinese pages (CKAN would write zh-Hans-CN), BCP 47 otherwise."""
    return "zh-CN" if is_chinese() else tk.h.unix_locale_to_bcp47(tk.h.lang())


def language_links() -> list[dict[str, Any]]:
    """中文 / English: this page in each offered language (English under /en/)."""
    here = _current_path()
    current = tk.h.lang()
    default = tk.config.get("ckan.locale_default")
    out = []
    for locale, label, bcp in (("zh_Hans_CN", "中文", "zh-CN"), ("en", "English", "en")):
        # the default language has no prefix: /dataset/, not /zh_Hans_CN/dataset/
        url = tk.h.url_for(here, locale="default" if locale == default else locale)
        out.append({"label": label, "lang": bcp, "current": current == locale, "url": url})
    return out


# -- search result cards

COUNTY_EN = {
    "庆阳市": "Qingyang City", "西峰区": "Xifeng District", "庆城县": "Qingcheng County",
    "环县": "Huan County", "华池县": "Huachi County", "合水县": "Heshui County",
    "正宁县": "Zhengning County", "宁县": "Ning County", "镇原县": "Zhenyuan County",
}
LEVEL_EN = {"city": "City level", "county": "County level", "township": "Township level"}


def _org_place(org_id: str) -> dict[str, str]:
    """The jurisdiction of a department, once per request per department."""
    cache = tk.g.setdefault("qingyang_org_places", {}) if hasattr(tk.g, "setdefault") else {}
    if org_id in cache:
        return cache[org_id]
    org = model.Group.get(org_id) if org_id else None
    place = {"county": "", "level": ""}
    if org is not None:
        facts = jurisdiction.place(org)
        level = facts["jurisdiction_level"]
        place = {"county": facts["county"] or ("庆阳市" if level == "city" else ""), "level": level}
    cache[org_id] = place
    return place


def result_facts(pkg: dict[str, Any]) -> dict[str, str]:
    """What a search result card names besides the title: the list type, the department
    and its jurisdiction (县区 and 层级), in the page's language."""
    zh = is_chinese()
    lt = listdef.all_types().get(pkg.get("type") or "")
    if lt is not None:
        type_label = TYPE_LABELS[lt.name] if zh else lt.list_label_en
    else:
        type_label = ""
    org = pkg.get("organization") or {}
    place = _org_place(pkg.get("owner_org") or org.get("id") or "")
    county, level = place["county"], place["level"]
    return {
        "type_label": type_label,
        "department": org.get("title") or org.get("name") or "",
        "county": county if zh else COUNTY_EN.get(county, county),
        "level": LEVEL_LABELS.get(level, "") if zh else LEVEL_EN.get(level, ""),
    }


# -- the names of the list types in CKAN's own texts (page titles, breadcrumbs, buttons)

_ENTITY_ZH = {
    "add link": "新增{0}", "add association link": "加入{0}", "create label": "新建{0}",
    "create title": "新建{0}", "delete confirmation": "确定要删除这条{0}吗?",
    "description placeholder": "简要说明这条{0}……", "edit label": "修改{0}",
    "form label": "{0}表单", "my label": "我的{0}", "view label": "查看{0}",
    "name placeholder": "{0}", "no any objects": "本站还没有{0}。",
    "no associated label": "没有关联的{0}。", "no label": "无{0}", "save label": "保存{0}",
    "search placeholder": "搜索{0}……", "you not member": "您还不属于任何{0}。",
    "user not member": "该用户不属于任何{0}。", "update label": "更新{0}",
}
_ENTITY_EN = {
    "add link": "Add to {0}", "add association link": "Add to {0}", "create label": "Create an entry in {0}",
    "create title": "Create an entry in {0}", "delete confirmation": "Are you sure you want to delete this entry of {0}?",
    "description placeholder": "A little information about this entry...", "edit label": "Edit entry",
    "form label": "{0} form", "my label": "My {0}", "view label": "View {0}", "name placeholder": "{0}",
    "no any objects": "There are no {0} on this site yet.", "no associated label": "No {0} are associated.",
    "no label": "No {0}", "save label": "Save", "search placeholder": "Search {0}...",
    "you not member": "You are not a member of any {0}.", "user not member": "This user is not a member of any {0}.",
    "update label": "Update",
}


@tk.chained_helper
def humanize_entity_type(next_helper, entity_type: str, object_type: str, purpose: str):
    """CKAN names a dataset type by its code ("Approval_Item", "Service item"); ours by the
    list's name, in the page's language. "no description" stays with the template's own
    text (the search result card shows none)."""
    lt = listdef.all_types().get(object_type) if entity_type == "package" else None
    if lt is None or purpose == "no description":
        return next_helper(entity_type, object_type, purpose)
    zh = is_chinese()
    label = TYPE_LABELS[lt.name] if zh else lt.list_label_en
    return ((_ENTITY_ZH if zh else _ENTITY_EN).get(purpose) or "{0}").format(label)


def has_chinese(text: str | None) -> bool:
    """Does the text hold any Chinese (an error message of ours, not the server's English)?"""
    return bool(re.search(r"[\u4e00-\u9fff]", text or ""))

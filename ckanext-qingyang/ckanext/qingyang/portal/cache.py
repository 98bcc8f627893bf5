"""The portal's pages as anonymous visitors see them, kept in Redis.

Every anonymous visitor to the same address, in the same language, jurisdiction and
display mode gets the same page, so it is rendered once. A page is kept until the
catalog changes: every write to the search index bumps a generation number that is
part of each page's key (so nothing has to be deleted), and a page older than
`ckanext.qingyang.page_cache_seconds` is rendered again in any case (organization
titles change without touching the index).

Not cached: logged-in users, anything but GET, a response that is not a 200 HTML page,
a page that shows a flash message, and the jurisdiction chooser when it sets the choice.
"""
from __future__ import annotations

import hashlib
import json
import logging
from typing import Any, Callable

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import Response, g, request, session

from ckanext.qingyang.portal import jurisdictions

log = logging.getLogger(__name__)

GENERATION = "qingyang:catalog:generation"
PREFIX = "qingyang:page:"
DATA_PREFIX = "qingyang:data:"
# the citizen's pages: the portal's own and an item's page (the 办事指南); anonymous
# visitors all see the same public items
ENDPOINTS = {"home.index", "qingyang_portal.search", "qingyang_portal.theme",
             "qingyang_portal.jurisdiction", "dataset.read",
             "approval_item.read", "service_item.read"}
VARY_COOKIES = (jurisdictions.COOKIE, "qy_display")


def catalog_changed() -> None:
    """Called whenever the search index changes: every kept page is stale from now on."""
    try:
        connect_to_redis().incr(GENERATION)
    except Exception:   # a cache outage must never stop a write
        log.exception("page cache: could not bump the catalog generation")


def _seconds() -> int:
    return tk.config.get("ckanext.qingyang.page_cache_seconds")


def _key() -> str | None:
    if (_seconds() <= 0 or request.method != "GET" or request.endpoint not in ENDPOINTS
            or not getattr(tk.current_user, "is_anonymous", False) or session.get("_flashes")
            or (request.endpoint == "qingyang_portal.jurisdiction" and "code" in request.args)):
        return None
    generation = connect_to_redis().get(GENERATION) or b"0"
    vary = "|".join(request.cookies.get(c, "") for c in VARY_COOKIES)
    # the language is in the environ: CKAN strips /en/ from the path before routing
    raw = f"{request.environ.get('CKAN_LANG', '')}|{request.full_path}|{vary}".encode()
    return f"{PREFIX}{generation.decode()}:{hashlib.sha256(raw).hexdigest()}"


def serve_kept_page():
    """before_app_request: answer from the cache when the page is kept."""
    try:
        key = _key()
        if key is None:
            return None
        body = connect_to_redis().get(key)
    except Exception:
        log.exception("page cache: lookup failed; rendering")
        return None
    if body is None:
        g.qingyang_page_key = key
        return None
    return Response(body, mimetype="text/html", headers={"X-Qingyang-Cache": "hit"})


def keep_page(response: Response) -> Response:
    """after_app_request: keep a page rendered for an anonymous visitor."""
    key = g.pop("qingyang_page_key", None)
    if key and response.status_code == 200 and response.mimetype == "text/html" \
            and not response.direct_passthrough and not session.get("_flashes"):
        try:
            connect_to_redis().setex(key, _seconds(), response.get_data())
            response.headers["X-Qingyang-Cache"] = "miss"
        except Exception:
            log.exception("page cache: could not keep the page")
    return response


def kept_data(name: str, parts: list[str], compute: Callable[[], Any]) -> Any:
    """Data that many anonymous pages share, kept as pages are (same generation, same age).

    A year's 专项资金 or 扶贫项目 feed every page of that table, in both languages and
    every display mode: over a thousand items read once per catalog change, not per page.
    Logged-in callers may see more than the public, so they always compute.
    """
    if _seconds() <= 0 or not getattr(tk.current_user, "is_anonymous", False):
        return compute()
    try:
        redis = connect_to_redis()
        generation = (redis.get(GENERATION) or b"0").decode()
        raw = json.dumps([name, parts], ensure_ascii=False).encode()
        key = f"{DATA_PREFIX}{generation}:{hashlib.sha256(raw).hexdigest()}"
        kept = redis.get(key)
        if kept is not None:
            return json.loads(kept)
    except Exception:
        log.exception("data cache: lookup failed; computing")
        return compute()
    value = compute()
    try:
        redis.setex(key, _seconds(), json.dumps(value, ensure_ascii=False))
    except Exception:
        log.exception("data cache: could not keep %s", name)
    return value


def settle_assets() -> None:
    """Check the stylesheet and script bundles once per process, not on every page.

    webassets rebuilds a bundle whose sources changed (auto_build): on each page that is
    ~16 file-time and config look-ups per bundle, about 10 ms of a 40 ms page. Files do
    not change under a running site, so every bundle is built (or found) at start and
    the check is then turned off. Off with ckanext.qingyang.settle_assets = false (the
    tests, which make an app per test), or with ckan.webassets.debug.
    """
    from ckan.lib import webassets_tools

    env = webassets_tools.env
    if env.debug or not tk.config.get("ckanext.qingyang.settle_assets"):
        return
    for bundle in env:
        bundle.urls()
    env.auto_build = False

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
import logging

import ckan.plugins.toolkit as tk
from ckan.lib.redis import connect_to_redis
from flask import Response, g, request, session

from ckanext.qingyang.portal import jurisdictions

log = logging.getLogger(__name__)

GENERATION = "qingyang:catalog:generation"
PREFIX = "qingyang:page:"
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

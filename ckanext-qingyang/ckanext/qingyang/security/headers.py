"""Security headers on every response (等保 2.0: 安全计算环境)."""
from __future__ import annotations

from typing import Any

import ckan.plugins.toolkit as tk


def add_headers(response: Any) -> Any:
    h = response.headers
    h.setdefault("X-Content-Type-Options", "nosniff")
    h.setdefault("X-Frame-Options", "SAMEORIGIN")
    h.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    csp = tk.config.get("ckanext.qingyang.security.csp")
    if csp:
        h.setdefault("Content-Security-Policy", csp)
    if tk.asbool(tk.config.get("ckanext.qingyang.security.hsts")):
        h.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    return response


def install(app: Any) -> None:
    """Register on CKAN's Flask app (IMiddleware hands it over before wrapping)."""
    from ckanext.qingyang.security import csrf, session, uploads

    if hasattr(app, "after_request"):
        app.after_request(add_headers)
        app.after_request(uploads.harden_download)
        app.before_request(session.check_idle)
        csrf.install(app)
    hops = tk.config.get("ckanext.qingyang.security.proxy_hops") or 0
    if int(hops) > 0 and hasattr(app, "wsgi_app"):
        # behind nginx the peer is the proxy: take the client from the hops we trust, so the
        # per-address lockout and the events' addresses name the citizen, not nginx
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=int(hops), x_proto=int(hops))

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

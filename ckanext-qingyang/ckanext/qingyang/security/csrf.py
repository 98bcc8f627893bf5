"""CSRF stays on for browser sessions.

CKAN 2.12's before_request exempts a view from CSRF when a request logs in with an API token
(Authorization header), by calling `csrf.exempt(view)`: Flask-WTF keeps that in a set for the
life of the process, so after one token POST to a form's view, every later browser POST to
it went through without a token. CKAN declares no other view exemption, so a request that
is not token-authenticated is checked again here when its view sits in that set.
"""
from __future__ import annotations

from typing import Any


def install(app: Any) -> None:
    csrf = app.extensions.get("csrf")
    if csrf is None:
        return

    def recheck() -> None:
        from flask import g, request

        if not app.config.get("WTF_CSRF_ENABLED") or request.method not in app.config["WTF_CSRF_METHODS"]:
            return
        if g.get("login_via_auth_header"):
            return
        view = app.view_functions.get(request.endpoint or "")
        if view is not None and f"{view.__module__}.{view.__name__}" in csrf._exempt_views:
            csrf.protect()   # raises CSRFError (400) without a valid token

    app.before_request(recheck)

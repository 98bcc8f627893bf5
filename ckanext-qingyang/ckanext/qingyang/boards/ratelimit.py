"""Per-address limits on the boards' public forms (Flask-Limiter, in CKAN's Redis).

The per-phone limit and the lookups by code are counted in the actions (limits.py), so
that the API has them too; these limits guard the web routes themselves: how often one
client address may post the 我要问 form, and how often it may look a code up on /track.

Flask-Limiter needs the Flask app. CKAN builds that app once and registers every plugin
blueprint on it, so the boards' blueprint attaches the limiter when it is registered
(`attach`, called through `Blueprint.record_once`): nothing outside this package changes.
The limits are config (`ckanext.qingyang.boards.ask_limit`, `.track_limit`), read on each
request, so a test or a site can change them without restarting.
"""
from __future__ import annotations

import ckan.plugins.toolkit as tk
from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

# its keys in Redis: LIMITS:qingyang-boards/...; one site per Redis db (ckan.redis.url)
KEY_PREFIX = "qingyang-boards"

limiter = Limiter(key_func=get_remote_address, key_prefix=KEY_PREFIX,
                  headers_enabled=True, strategy="fixed-window")


def attach(state) -> None:
    """Blueprint.record_once: the app is built; give it the limiter, on CKAN's Redis."""
    app = state.app
    app.config.setdefault("RATELIMIT_STORAGE_URI", tk.config.get("ckan.redis.url"))
    # an outage of Redis must not take the citizens' form down with it
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
    limiter.init_app(app)


def ask_limit() -> str:
    return tk.config.get("ckanext.qingyang.boards.ask_limit")


def track_limit() -> str:
    return tk.config.get("ckanext.qingyang.boards.track_limit")


def not_a_lookup() -> bool:
    """/track without a code is the empty form: free."""
    return not (request.values.get("code") or "").strip()


def reset() -> None:
    """Forget every count (tests)."""
    limiter.reset()

"""Session timeout after inactivity: a browser session idle longer than
ckanext.qingyang.security.session_idle_seconds is logged out (API tokens are not sessions)."""
from __future__ import annotations

import time
from typing import Any

import ckan.plugins.toolkit as tk

KEY = "qingyang_seen"


def check_idle() -> Any:
    from flask import request, session
    from flask_login import logout_user

    if "_user_id" not in session:
        return None
    now, seen = time.time(), session.get(KEY)
    idle = tk.config.get("ckanext.qingyang.security.session_idle_seconds")
    if seen is not None and now - seen > idle:
        from ckanext.qingyang.security import events
        events.record("session_timeout", subject=tk.current_user.name, actor=tk.current_user.name,
                      detail={"idle_seconds": int(now - seen)})
        logout_user()
        session.clear()
        tk.h.flash_error(f"您已 {idle // 60} 分钟未操作,请重新登录")
        return tk.redirect_to("user.login", came_from=request.path)
    if seen is None or now - seen > min(30, idle / 2):   # fewer cookie rewrites
        session[KEY] = now
    return None

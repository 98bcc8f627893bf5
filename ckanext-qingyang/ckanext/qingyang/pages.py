"""What every package's pages share: the caller's context, the login check, file downloads."""
from __future__ import annotations

import urllib.parse

import ckan.plugins.toolkit as tk
from flask import Response

MIMETYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
    "pdf": "application/pdf",
}



def caller_context() -> dict:
    return {"user": tk.current_user.name, "auth_user_obj": tk.current_user}


def call_or_abort(action: str, data: dict):
    """An action as the current user; its refusals become the page's 403, 404 or 400."""
    try:
        return tk.get_action(action)(caller_context(), data)
    except tk.NotAuthorized as e:
        return tk.abort(403, str(e))
    except tk.ObjectNotFound as e:
        return tk.abort(404, str(e))
    except tk.ValidationError as e:
        return tk.abort(400, "; ".join(str(m) for msgs in e.error_dict.values() for m in msgs))


def require_login():
    if not getattr(tk.current_user, "is_authenticated", False):
        tk.abort(403, tk._("请先登录"))


def download(data: bytes, fmt: str, filename: str) -> Response:
    quoted = urllib.parse.quote(filename)
    return Response(data, mimetype=MIMETYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"{fmt}.{fmt}\"; filename*=UTF-8''{quoted}"})

"""The 我要问 form: its choices, its captcha and honeypot, and what it hands the action.

The fields' rules (lengths, the phone, the files) are the action's
(`qingyang_message_create`), so the API and the page refuse the same things; this module
only checks what belongs to the web form: the captcha, the honeypot, and that something
was filled at all, so a person sees every empty field at once, not one per attempt.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

import ckan.model as model
import ckan.plugins.toolkit as tk
from captcha.image import ImageCaptcha
from ckan.lib.redis import connect_to_redis

from ckanext.qingyang.core import boards as core_boards
from ckanext.qingyang.portal import jurisdictions

# the form's fields, in the order the page shows them (errors are listed in this order)
FIELDS = ("kind", "jurisdiction", "organization", "title", "content", "attachments",
          "name", "phone", "publish_consent", "captcha")
KINDS = (("consult", "咨询"), ("suggest", "建议"), ("complain", "投诉"), ("help", "求助"))
KIND_HINTS = {"consult": "问政策、问办事", "suggest": "对工作提意见", "complain": "反映不作为、乱作为",
              "help": "遇到困难请求帮助"}
MAX_CONTENT = core_boards.MAX_CONTENT
MAX_TITLE = core_boards.MAX_TITLE
MAX_FILES = core_boards.MAX_FILES
UNKNOWN = "不清楚"      # the department: the jurisdiction's 政务服务中心 dispatches it
# The honeypot: a field people never see or reach (hidden, out of the tab order, not read
# aloud); a form robot fills every field it finds.
HONEYPOT = "homepage"

CAPTCHA_KEY = "qingyang:captcha:"
# digits only: older people type them on a phone's number pad; no 0/1 (O and l)
CAPTCHA_ALPHABET = "23456789"
CAPTCHA_LENGTH = 4


# -- the captcha: answer kept in Redis under a random token, single use, expires

def _seconds() -> int:
    return tk.config.get("ckanext.qingyang.boards.captcha_seconds")


def new_captcha() -> str:
    """A new token with its answer stored; the page shows the image of that token."""
    token = secrets.token_urlsafe(18)
    _store(token)
    return token


def _store(token: str) -> None:
    answer = "".join(secrets.choice(CAPTCHA_ALPHABET) for _ in range(CAPTCHA_LENGTH))
    connect_to_redis().set(CAPTCHA_KEY + token, answer, ex=_seconds())


def _valid_token(token: str) -> bool:
    return bool(token) and len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()


def captcha_png(token: str, renew: bool = False) -> bytes | None:
    """The image of a live token (None if it is unknown or spent). `renew`: 换一张, a new
    answer under the same token."""
    if not _valid_token(token):
        return None
    redis = connect_to_redis()
    if renew and redis.exists(CAPTCHA_KEY + token):
        _store(token)
    answer = redis.get(CAPTCHA_KEY + token)
    if answer is None:
        return None
    return ImageCaptcha(width=200, height=72, font_sizes=(50, 56, 60)).generate(answer.decode()).getvalue()


def check_captcha(token: str, typed: str) -> bool:
    """Spends the token whatever the answer: one guess per image."""
    if not _valid_token(token):
        return False
    answer = connect_to_redis().getdel(CAPTCHA_KEY + token)
    typed = "".join((typed or "").split())
    # full-width digits from a Chinese keyboard count as the digits they are
    typed = typed.translate({0xFF10 + i: ord("0") + i for i in range(10)})
    return answer is not None and secrets.compare_digest(answer.decode(), typed)


def captcha_answer(token: str) -> str | None:
    """The stored answer (for tests, which read it from the server side as the page's
    owner could; nothing on the web serves it)."""
    value = connect_to_redis().get(CAPTCHA_KEY + token)
    return value.decode() if value is not None else None


# -- the department, through the jurisdiction tree

@dataclass
class Place:
    code: str
    name: str
    departments: list[dict[str, str]]


def _places() -> list[jurisdictions.Jurisdiction]:
    """市本级, then each county followed by its townships."""
    out = []
    for j in jurisdictions.tree():
        out.append(j)
        out.extend(j.townships)
    return out


def department_choices() -> list[Place]:
    """Each jurisdiction with its departments (the organizations whose region code is that
    jurisdiction's), in the tree's order; a jurisdiction without any is left out."""
    by_region: dict[str, list[dict[str, str]]] = {}
    orgs = (model.Session.query(model.Group)
            .filter(model.Group.type == "organization", model.Group.state == "active",
                    model.Group.is_organization.is_(True))
            .order_by(model.Group.title))
    for org in orgs:
        extras = org.extras or {}
        if extras.get("kind") == "government" and extras.get("jurisdiction_level") != "township":
            continue        # a county's or the city's 人民政府 itself takes no messages here
        region = str(extras.get("region_code") or "")
        by_region.setdefault(region, []).append({"name": org.name, "title": org.title or org.name})
    out = []
    for j in _places():
        depts = by_region.get(j.code)
        if depts:
            name = j.name if j.level != "township" else f"{_county_name(j)}{j.name}"
            out.append(Place(j.code, name, depts))
    return out


def _county_name(township: jurisdictions.Jurisdiction) -> str:
    county = jurisdictions.by_code(township.county_code)
    return county.name if county else ""


def place_choices() -> list[dict[str, str]]:
    """The jurisdictions a message can go to (全市 is not one: its centre is 市本级's)."""
    return [{"code": j.code, "name": j.name if j.level != "township" else f"{_county_name(j)}{j.name}",
             "level": j.level} for j in _places()]


def default_place() -> str:
    """The visitor's jurisdiction cookie; 全市 asks the city's centre."""
    chosen = jurisdictions.current()
    if chosen.code:
        return chosen.code
    city = next((j for j in jurisdictions.tree() if j.level == "city"), None)
    return city.code if city else ""


def centre_place(code: str) -> str:
    """Whose 政务服务中心 dispatches a 不清楚 message: a township's is its county's."""
    place = jurisdictions.by_code(code) if code else None
    if place is not None and place.level == "township":
        return place.county_code
    return code


# -- reading the posted form

def _bool(value: Any) -> bool:
    return str(value or "").lower() in ("1", "true", "on", "yes", "y")


def read(form, files) -> dict[str, Any]:
    """The action's data_dict from the posted form (what the page shows back on error,
    without the files)."""
    department = (form.get("organization") or "").strip()
    return {
        "kind": (form.get("kind") or "").strip(),
        "jurisdiction": centre_place((form.get("jurisdiction") or "").strip()),
        "organization": "" if department == UNKNOWN else department,
        "title": (form.get("title") or "").strip(),
        "content": (form.get("content") or "").strip(),
        "name": (form.get("name") or "").strip(),
        "anonymous": _bool(form.get("anonymous")),
        "phone": (form.get("phone") or "").strip(),
        "publish_consent": _bool(form.get("publish_consent")),
        "attachments": [f for f in files.getlist("attachments") if f and f.filename],
    }


def rules() -> core_boards.Rules:
    return core_boards.load(tk.config.get("ckanext.qingyang.catalogs_dir"))


def web_checks(data: dict[str, Any]) -> dict[str, list[str]]:
    """Every field's errors at once, before the captcha is spent and before the action
    stores anything: the core's own rules (core/boards.py, which the action applies again),
    plus the department and the files (read, then rewound for the action)."""
    _clean, errors = core_boards.validate_message(rules(), data)
    if not data["organization"] and not data["jurisdiction"]:
        errors.setdefault("organization", []).append(tk._("部门:请选择受理部门;不清楚可选“不清楚”"))
    files = data["attachments"]
    if len(files) > core_boards.MAX_FILES:
        errors.setdefault("attachments", []).append(
            tk._("附件:最多 {n} 个").format(n=core_boards.MAX_FILES))
    elif files:
        pairs = []
        for f in files:
            # at most a byte over the limit is read: enough to refuse an oversized file
            pairs.append((f.filename, f.stream.read(core_boards.MAX_FILE_BYTES + 1)))
            f.stream.seek(0)
        _accepted, file_errors = core_boards.check_attachments(pairs)
        if file_errors:
            errors.setdefault("attachments", []).extend(file_errors)
    return errors


def honeypot_filled(form) -> bool:
    return bool((form.get(HONEYPOT) or "").strip())


def field_of(key: str) -> str:
    """Where an action's error belongs on the page (its keys are the data_dict's)."""
    if key.startswith("attachment"):
        return "attachments"
    if key in ("anonymous", "display_name"):
        return "name"
    return key if key in FIELDS else ""


def errors_by_field(error_dict: dict[str, Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key, messages in (error_dict or {}).items():
        if isinstance(messages, dict):
            messages = [m for ms in messages.values() for m in (ms if isinstance(ms, list) else [ms])]
        elif not isinstance(messages, list):
            messages = [messages]
        out.setdefault(field_of(key), []).extend(str(m) for m in messages)
    return out


def kept(data: dict[str, Any]) -> dict[str, Any]:
    """What the page shows back after an error: everything typed but files and captcha."""
    return {k: v for k, v in data.items() if k != "attachments"}

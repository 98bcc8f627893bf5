"""Rate limits of the boards, kept in CKAN's Redis (ckan.redis.url) with the `limits` library:
new messages per phone number (in the action, whoever calls it) and 查询码 lookups per
client address (so codes cannot be enumerated). The web routes' per-address limits are
Flask-Limiter's, on the same Redis. The limits are config (config_declaration.yml)."""
from __future__ import annotations

import functools
import hashlib

import ckan.plugins.toolkit as tk
from limits import parse_many, storage, strategies

PHONE_KEY = "ckanext.qingyang.boards.phone_limit"
LOOKUP_KEY = "ckanext.qingyang.boards.lookup_limit"


class Limited(Exception):
    """Over a limit; the message is in Chinese."""


@functools.lru_cache(maxsize=4)
def _limiter(url: str) -> strategies.MovingWindowRateLimiter:
    return strategies.MovingWindowRateLimiter(storage.storage_from_string(url))


def _site() -> str:
    return tk.config.get("ckan.site_id") or "ckan"


def _hit(config_key: str, namespace: str, who: str, message: str) -> None:
    spec = (tk.config.get(config_key) or "").strip()
    if not spec:
        return
    limiter = _limiter(tk.config.get("ckan.redis.url"))
    # the phone / address is hashed: Redis keys need not hold personal data
    ident = hashlib.sha256(who.encode()).hexdigest()[:32]
    for item in parse_many(spec):
        if not limiter.hit(item, "qingyang-boards", _site(), namespace, ident):
            raise Limited(message.format(limit=_zh(item)))


def _zh(item) -> str:
    unit = {"second": "秒", "minute": "分钟", "hour": "小时", "day": "天", "month": "月", "year": "年"}
    return f"每{'' if item.multiples == 1 else item.multiples}{unit.get(item.GRANULARITY.name, item.GRANULARITY.name)}最多 {item.amount} 次"


def hit_phone(phone: str) -> None:
    _hit(PHONE_KEY, "phone", phone, "联系电话:同一号码留言过于频繁({limit}),请稍后再试")


def hit_lookup(address: str | None) -> None:
    if address:
        _hit(LOOKUP_KEY, "lookup", address, "查询过于频繁({limit}),请稍后再试")


def client_address() -> str | None:
    """The caller's address, inside a web request (None outside one: CLI, DAG tests)."""
    try:
        from flask import has_request_context, request
    except ImportError:  # pragma: no cover
        return None
    return request.remote_addr if has_request_context() else None


def reset(namespace: str, who: str) -> None:
    """Forget one phone's or address's hits (tests, and a clerk unblocking a caller)."""
    limiter = _limiter(tk.config.get("ckan.redis.url"))
    key = PHONE_KEY if namespace == "phone" else LOOKUP_KEY
    ident = hashlib.sha256(who.encode()).hexdigest()[:32]
    for item in parse_many(tk.config.get(key) or "1/second"):
        limiter.clear(item, "qingyang-boards", _site(), namespace, ident)

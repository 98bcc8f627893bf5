"""我要看 in other forms: the Atom feed of published answers and the 通知公告.

The feed is built by feedgen (shipped with CKAN), which writes XML through lxml: every
text a citizen typed is escaped by the serializer, never pasted into markup by hand.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk
import yaml
from feedgen.feed import FeedGenerator

SUMMARY_CHARS = 200


def _when(value: str | None) -> dt.datetime:
    """An action's ISO time (naive UTC, as CKAN stores them) as an aware datetime."""
    try:
        at = dt.datetime.fromisoformat(str(value))
    except (TypeError, ValueError):
        at = dt.datetime(2017, 1, 1)
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def entry_time(message: dict[str, Any]) -> dt.datetime:
    reply = message.get("reply") or {}
    return _when(reply.get("at") or message.get("created"))


def atom(messages: list[dict[str, Any]]) -> bytes:
    page = tk.url_for("qingyang_boards.answers", _external=True)
    fg = FeedGenerator()
    fg.id(page)
    fg.title(tk.config.get("ckan.site_title") or "庆阳市网上政务超市")
    fg.subtitle("我要看:已公开的留言和答复")
    fg.link(href=page, rel="alternate")
    fg.link(href=tk.url_for("qingyang_boards.answers_feed", _external=True), rel="self")
    fg.language("zh-CN")
    newest = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
    # feedgen prepends each entry: add the oldest first so the feed reads newest first
    for m in reversed(messages):
        reply = m.get("reply") or {}
        org = (m.get("organization") or {}).get("title") or ""
        entry = fg.add_entry()
        entry.id(f"{page}#{m['id']}")
        entry.title(f"[{m.get('kind_label') or ''}] {m.get('title') or ''}")
        entry.link(href=f"{page}#m-{m['id']}")
        entry.published(_when(m.get("created")))
        updated = entry_time(m)
        entry.updated(updated)
        newest = max(newest, updated)
        entry.author({"name": org or "庆阳市政务服务中心"})
        entry.category(term=m.get("kind") or "", label=m.get("kind_label") or "")
        text = (f"问:{m.get('content') or ''}\n\n"
                f"答({org}):{reply.get('text') or ''}")
        entry.summary((m.get("content") or "")[:SUMMARY_CHARS])
        entry.content(text, type="text")
    fg.updated(newest)
    return fg.atom_str(pretty=True)


def _notices_path() -> Path:
    return Path(tk.config.get("ckanext.qingyang.catalogs_dir")) / "notices.yaml"


def notices(limit: int = 5) -> list[dict[str, Any]]:
    """通知公告 (catalogs/notices.yaml), newest first."""
    try:
        with open(_notices_path(), encoding="utf-8") as f:
            rows = (yaml.safe_load(f) or {}).get("notices") or []
    except FileNotFoundError:
        return []
    return sorted(rows, key=lambda n: str(n.get("date") or ""), reverse=True)[:limit]

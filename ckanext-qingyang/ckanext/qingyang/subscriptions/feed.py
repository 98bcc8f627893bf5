"""The Atom feeds of a department's and a list type's changes, newest first, each entry linking
the item's own page (CKAN's /feeds/organization/… links the API's JSON, in English). Built by
feedgen, which CKAN ships: every title is escaped by the serializer."""
from __future__ import annotations

import datetime as dt
from typing import Any

import ckan.plugins.toolkit as tk
from feedgen.feed import FeedGenerator


def _utc(value: str) -> dt.datetime:
    at = dt.datetime.fromisoformat(value)
    return at if at.tzinfo else at.replace(tzinfo=dt.timezone.utc)


def atom(about: dict[str, str], found: dict[str, Any], self_url: str, page_url: str) -> bytes:
    fg = FeedGenerator()
    fg.id(self_url)
    fg.title(f"{about['label']} · {tk.config.get('ckan.site_title') or '庆阳市网上政务超市'}")
    fg.subtitle(f"{about['label']}的新发布、更新、调整和取消")
    fg.link(href=page_url, rel="alternate")
    fg.link(href=self_url, rel="self")
    fg.language("zh-CN")
    newest = dt.datetime(2017, 1, 1, tzinfo=dt.timezone.utc)
    # feedgen prepends each entry: the oldest first, so the feed reads newest first
    for c in reversed(found["changes"]):
        entry = fg.add_entry()
        entry.id(c["url"])            # one entry per item; `updated` says when it changed
        entry.title(f"[{c['state']}] {c['title']}")
        entry.link(href=c["url"])
        entry.published(_utc(c["created"]))
        entry.updated(_utc(c["modified"]))
        newest = max(newest, _utc(c["modified"]))
        entry.author({"name": c["organization"] or about["label"]})
        entry.category(term=c["type"], label=c["list_label"])
        entry.summary(f"{c['organization']} · {c['list_label']} · {c['state']}")
    fg.updated(newest)
    return fg.atom_str(pretty=True)

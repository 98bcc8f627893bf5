"""Everyday words, pinyin and the one-result-per-item key, for the index and the portal.

The rules are pure (core/searchterms.py); this module finds the curated synonyms
(catalogs/synonyms.yaml) and applies them to an item as it is indexed. A change to the
synonyms needs `ckan search-index rebuild` (solr/ANALYSIS.md).
"""
from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import searchterms


@functools.lru_cache(maxsize=4)
def _load(path: str) -> searchterms.Synonyms:
    return searchterms.Synonyms.load(path)


def synonyms() -> searchterms.Synonyms:
    return _load(str(Path(tk.config.get("ckanext.qingyang.catalogs_dir")) / "synonyms.yaml"))


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    title = str(pkg_dict.get("title") or "")
    if not title:
        return {}
    fields = searchterms.index_fields(title, synonyms())
    # one result per item means one per list type too: a 行政权力事项 and the 行政审批事项
    # of the same name are different things to a citizen
    fields["qy_group_key"] = f'{pkg_dict.get("type")}:{fields["qy_group_key"]}'
    return fields

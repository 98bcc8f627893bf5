"""This site's deadlines: core.deadlines with the limits from CKAN's config and the
calendar of the configured catalogs folder. The one place CKAN reads them."""
from __future__ import annotations

import functools

import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import deadlines


def limits() -> deadlines.Limits:
    return deadlines.Limits(share_decision_days=tk.config.get("ckanext.qingyang.share_decision_days"),
                            review_days=tk.config.get("ckanext.qingyang.review_days"))


def calendar() -> deadlines.Calendar:
    return _calendar(tk.config.get("ckanext.qingyang.catalogs_dir"))


@functools.lru_cache(maxsize=4)
def _calendar(catalogs_dir: str) -> deadlines.Calendar:
    return deadlines.load(catalogs_dir)

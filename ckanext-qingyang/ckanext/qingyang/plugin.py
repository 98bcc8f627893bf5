"""The `qingyang` CKAN plugin: wires the extension's parts into CKAN."""
from __future__ import annotations

from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk


@tk.blanket.config_declarations
class QingyangPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")

    # IPackageController
    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        q = search_params.get("q") or ""
        # Only plain (non-fielded) queries go through dismax; leave the rest alone.
        if q and ":" not in q:
            search_params.setdefault("qf", tk.config.get("ckanext.qingyang.chinese_query_fields"))
            search_params.setdefault("mm", tk.config.get("ckanext.qingyang.chinese_mm"))
        return search_params

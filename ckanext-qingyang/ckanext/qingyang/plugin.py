"""The `qingyang` CKAN plugin: wires the extension's parts into CKAN."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckanext.qingyang import blueprints, cli, helpers, search, validators
from ckanext.qingyang.logic import action, auth


def default_catalogs_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "catalogs")


def default_inbox_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "var" / "inbox")


def default_quality_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "var" / "quality")


@tk.blanket.config_declarations
class QingyangPlugin(p.SingletonPlugin):
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)

    # IConfigurer
    def update_config(self, config: Any) -> None:
        tk.add_template_directory(config, "templates")

    # IClick
    def get_commands(self):
        return cli.get_commands()

    # IValidators
    def get_validators(self):
        return validators.get_validators()

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()

    # IActions
    def get_actions(self):
        return action.get_actions()

    # IAuthFunctions
    def get_auth_functions(self):
        return auth.get_auth_functions()

    # IBlueprint
    def get_blueprint(self):
        return blueprints.get_blueprints()

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return {**{k: tk._(v) for k, v in search.FACETS.items()}}

    def organization_facets(self, facets_dict, organization_type, package_type):
        return self.dataset_facets(facets_dict, package_type)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        return search.index_fields(pkg_dict)

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        q = search_params.get("q") or ""
        # Only plain (non-fielded) queries go through dismax; leave the rest alone.
        if q and ":" not in q:
            search_params.setdefault("qf", tk.config.get("ckanext.qingyang.chinese_query_fields"))
            search_params.setdefault("mm", tk.config.get("ckanext.qingyang.chinese_mm"))
        return blueprints.roll_up_organization_page(search_params)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]):
        return search.label_facets(search_results)

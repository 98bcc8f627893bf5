"""The `qingyang` CKAN plugin: the interfaces it implements, and which package answers each.

Every package (catalog, sharing, publishing, portal) brings its actions, auth functions,
blueprint and templates the same way; the hooks hand over to the package that owns
the rule.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import ckan.plugins as p
import ckan.plugins.toolkit as tk

from ckan.lib.plugins import DefaultPermissionLabels, DefaultTranslation

from ckanext.qingyang import (boards, catalog, cli, helpers, operations, portal, publishing, security, sharing,
                              subscriptions, supervision)
from ckanext.qingyang.catalog import search, validators
from ckanext.qingyang.portal import cache
from ckanext.qingyang.publishing import history
from ckanext.qingyang.sharing import access, audit, gate

# later packages' templates come first: portal's read.html extends catalog's
PACKAGES = (catalog, sharing, publishing, portal, boards, operations, security, supervision, subscriptions)


def default_catalogs_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "catalogs")


def default_inbox_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "var" / "inbox")


def default_quality_dir() -> str:
    return str(Path(__file__).resolve().parents[3] / "var" / "quality")


def _merged(registrations: Iterable[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for names in registrations:
        twice = out.keys() & names.keys()
        if twice:   # one name from two packages: a dict merge would silently keep only one
            raise ValueError(f"registered by two packages: {', '.join(sorted(twice))}")
        out.update(names)
    return out


@tk.blanket.config_declarations
class QingyangPlugin(p.SingletonPlugin, DefaultTranslation):
    p.implements(p.IConfigurer)
    p.implements(p.IClick)
    p.implements(p.IValidators)
    p.implements(p.ITemplateHelpers)
    p.implements(p.IActions)
    p.implements(p.IAuthFunctions)
    p.implements(p.IBlueprint)
    p.implements(p.IFacets, inherit=True)
    p.implements(p.IPackageController, inherit=True)
    p.implements(p.IResourceController, inherit=True)
    p.implements(p.IPermissionLabels)
    p.implements(p.IMiddleware, inherit=True)
    p.implements(p.IAuthenticator, inherit=True)
    p.implements(p.ISignal)
    # i18n/: English for the strings the Chinese templates show (so far the portal's)
    p.implements(p.ITranslation)

    _default_labels = DefaultPermissionLabels()

    # IConfigurer
    def update_config(self, config: Any) -> None:
        from ckanext.qingyang.security import events
        events.install()   # sysadmin grants/revokes, however they are made
        for package in PACKAGES:
            tk.add_template_directory(config, str(Path(package.__file__).parent / "templates"))
        tk.add_resource(str(Path(portal.__file__).parent / "assets"), "qingyang_portal")
        tk.add_resource(str(Path(boards.__file__).parent / "assets"), "qingyang_boards")
        tk.add_resource(str(Path(supervision.__file__).parent / "assets"), "qingyang_supervision")
        # the portal's search collapses an item's jurisdictions into one result
        parsers = config.get("ckan.search.solr_allowed_query_parsers") or []
        if isinstance(parsers, str):
            parsers = parsers.split()
        if "collapse" not in parsers:
            config["ckan.search.solr_allowed_query_parsers"] = [*parsers, "collapse"]

    # IMiddleware
    def make_middleware(self, app: Any, config: Any) -> Any:
        cache.settle_assets()
        from ckanext.qingyang.security import headers
        headers.install(app)
        return app

    # IAuthenticator: a locked account or address is refused before CKAN checks the password
    def login(self):
        from ckanext.qingyang.security import lockout
        return lockout.login_guard()

    # ISignal
    def get_signal_subscriptions(self):
        from ckanext.qingyang.security import events, lockout
        return {tk.signals.failed_login: [lockout.on_failed_login],   # records the event, then counts
                tk.signals.user_logged_in: [events.on_logged_in, lockout.on_logged_in],
                tk.signals.user_logged_out: [events.on_logged_out],
                tk.signals.perform_password_reset: [events.on_password_reset]}

    # IClick
    def get_commands(self):
        return cli.get_commands(PACKAGES)

    # IValidators
    def get_validators(self):
        from ckanext.qingyang.security import passwords
        # the password policy replaces CKAN's validator of the same name
        return {**validators.get_validators(), "user_password_validator": passwords.user_password_validator}

    # ITemplateHelpers
    def get_helpers(self):
        return helpers.get_helpers()

    # IActions
    def get_actions(self):
        return _merged(package.get_actions() for package in PACKAGES)

    # IAuthFunctions
    def get_auth_functions(self):
        return _merged(package.get_auth_functions() for package in PACKAGES)

    # IBlueprint
    def get_blueprint(self):
        return [blueprint for package in PACKAGES for blueprint in package.get_blueprints()]

    # IFacets
    def dataset_facets(self, facets_dict, package_type):
        return {k: tk._(v) for k, v in search.FACETS.items()}

    def organization_facets(self, facets_dict, organization_type, package_type):
        return self.dataset_facets(facets_dict, package_type)

    # IPackageController
    def before_dataset_index(self, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        cache.catalog_changed()
        # the index serves every searcher: it keeps only gated data links
        return gate.hide_data_links(search.index_fields(pkg_dict))

    def after_dataset_delete(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        cache.catalog_changed()

    def after_dataset_show(self, context: Any, pkg_dict: dict[str, Any]) -> dict[str, Any]:
        if context.get("ignore_auth"):
            return pkg_dict
        user = access.context_user(context)
        history.add_publication(pkg_dict, user)
        return gate.on_show(pkg_dict, user)

    def after_dataset_update(self, context: Any, pkg_dict: dict[str, Any]) -> None:
        access.refresh_activity_labels(pkg_dict.get("id"))

    def before_dataset_search(self, search_params: dict[str, Any]) -> dict[str, Any]:
        return search.before_search(search_params)

    def after_dataset_search(self, search_results: dict[str, Any], search_params: dict[str, Any]):
        audit.record_search(search_results)
        return search.label_facets(search_results)

    # IResourceController: an upload's content must agree with its declared format
    def before_resource_create(self, context: Any, resource: dict[str, Any]) -> None:
        from ckanext.qingyang.security import uploads
        uploads.check_resource(resource)

    def before_resource_update(self, context: Any, current: dict[str, Any], resource: dict[str, Any]) -> None:
        from ckanext.qingyang.security import uploads
        uploads.check_resource(resource)

    # IPermissionLabels
    def get_dataset_labels(self, dataset_obj: Any) -> list[str]:
        return access.dataset_labels(dataset_obj) or self._default_labels.get_dataset_labels(dataset_obj)

    def get_user_dataset_labels(self, user_obj: Any) -> list[str]:
        return self._default_labels.get_user_dataset_labels(user_obj) + access.user_labels(user_obj)

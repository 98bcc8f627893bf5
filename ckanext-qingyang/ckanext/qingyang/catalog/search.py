"""What goes into the Solr document, how a search is sent (Chinese query fields, organization
pages rolled up to their jurisdiction) and how its results are labelled."""
from __future__ import annotations

import json
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Iterator

import ckan.model as model
import ckan.plugins.toolkit as tk

from ckanext.qingyang.catalog import jurisdiction, terms
from ckanext.qingyang.core import listdef

# Facets added to dataset search, with their Chinese titles.
FACETS = {
    "dataset_type": "清单类型",
    "power_type": "职权类型",
    "jurisdiction_level": "层级",
    "county": "县区",
    "organization": "部门",
    "list_year": "年度",
    "share_type": "共享类型",
    "open_type": "开放属性",
}
TYPE_LABELS = {t: lt.about.split(" (")[0] for t, lt in listdef.all_types().items()}
LEVEL_LABELS = {"city": "市级", "county": "县级", "township": "乡级"}


# org id -> jurisdiction facts, while a bulk write indexes many items of few organizations
_org_facts: ContextVar[dict[str, dict] | None] = ContextVar("qingyang_org_facts", default=None)


@contextmanager
def org_facts_cached() -> Iterator[None]:
    """Compute each organization's ancestry once for everything indexed inside."""
    token = _org_facts.set({})
    try:
        yield
    finally:
        _org_facts.reset(token)


def _facts(org_id: str) -> dict[str, Any] | None:
    cache = _org_facts.get()
    if cache is not None and org_id in cache:
        return cache[org_id]
    org = model.Group.get(org_id)
    facts = jurisdiction.facts(org) if org is not None else None
    if cache is not None:
        cache[org_id] = facts
    return facts


# Fields the portal's 阳光政务 tables total (portal/themes.py), stored as qy_f_<field> so
# that a search returns them without parsing each item's whole dict.
STORED_FOR_TABLES = {
    "special_fund": ("budget_amount", "competent_department"),
    "poverty_project": ("county", "township", "village", "fund_central", "fund_province",
                        "fund_city", "fund_county", "households", "beneficiaries"),
}


def index_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """Jurisdiction, year and the Chinese labels of coded values."""
    for field_name in STORED_FOR_TABLES.get(pkg_dict.get("type") or "", ()):
        if pkg_dict.get(field_name) not in (None, ""):
            # before `county` below becomes the owner's county name
            pkg_dict[f"qy_f_{field_name}"] = str(pkg_dict[field_name])
    facts = _facts(pkg_dict.get("owner_org") or "")
    if facts is not None:
        pkg_dict["jurisdiction_level"] = facts["jurisdiction_level"]
        pkg_dict["county"] = facts["county"]
        pkg_dict["county_code"] = facts["county_code"]
        pkg_dict["qy_org_path"] = facts["org_path"]
        # stored, so the portal's results name department and place without package_show
        pkg_dict["qy_region"] = facts["region_code"]
        pkg_dict["qy_level"] = facts["jurisdiction_level"]
        pkg_dict["qy_org_title"] = facts["org_title"]
        pkg_dict["qy_place"] = facts["place"]
    type_name = pkg_dict.get("type")
    if type_name in listdef.TYPE_NAMES:
        lt = listdef.load_type(type_name)
        if lt.year_field and pkg_dict.get(lt.year_field):
            pkg_dict["list_year"] = str(pkg_dict[lt.year_field])
        labels = [lt.list_label, TYPE_LABELS[type_name]]
        for col in lt.columns:
            value = pkg_dict.get(col.field_name)
            if col.kind in listdef.MULTI_CHOICE_KINDS and value:
                labels.append(listdef.format_cell(col, value))
            elif col.choices and value:
                labels.append(col.label_of(str(value)))
            elif col.kind in ("qy_list", "qy_info_items") and isinstance(value, str) and value.startswith("["):
                labels.append(listdef.format_cell(col, json.loads(value)))
        pkg_dict["extras_qy_labels"] = " ".join(labels)
        for field_name, target in (("audience", "qy_audience"), ("topics", "qy_topic")):
            value = pkg_dict.get(field_name)
            if isinstance(value, str) and value.startswith("["):   # stored as JSON text
                value = json.loads(value)
            if isinstance(value, list):
                pkg_dict[target] = value
    pkg_dict.update(searchterms_fields(pkg_dict))
    return pkg_dict


def searchterms_fields(pkg_dict: dict[str, Any]) -> dict[str, Any]:
    """One result per item across jurisdictions, everyday words and pinyin (solr/ANALYSIS.md)."""
    return terms.index_fields(pkg_dict)


def _choice_labels() -> dict[str, dict[str, str]]:
    """field -> stored value -> Chinese label; the first type naming a value wins."""
    out: dict[str, dict[str, str]] = {"dataset_type": TYPE_LABELS, "jurisdiction_level": LEVEL_LABELS}
    for lt in listdef.all_types().values():
        for col in lt.columns:
            for choice in col.choices:
                out.setdefault(col.field_name, {}).setdefault(choice.value, choice.label)
    return out


# built once: facet labelling runs on every search
CHOICE_LABELS = _choice_labels()


def facet_label(facet: str, value: str) -> str | None:
    return CHOICE_LABELS.get(facet, {}).get(value)


def label_facets(search_results: dict[str, Any]) -> dict[str, Any]:
    for facet, block in (search_results.get("search_facets") or {}).items():
        for item in block.get("items", []):
            label = facet_label(facet, item.get("name", ""))
            if label:
                item["display_name"] = label
    return search_results


def before_search(search_params: dict[str, Any]) -> dict[str, Any]:
    q = search_params.get("q") or ""
    # Only plain (non-fielded) queries go through dismax; leave the rest alone.
    if q and ":" not in q:
        search_params.setdefault("qf", tk.config.get("ckanext.qingyang.chinese_query_fields"))
        search_params.setdefault("mm", tk.config.get("ckanext.qingyang.chinese_mm"))
    return roll_up_organization_page(search_params)


def roll_up_organization_page(search_params: dict[str, Any]) -> dict[str, Any]:
    """On an organization's page, list the items of every organization below it too.

    CKAN's page filters on owner_org; a jurisdiction (县政府) owns few items
    itself, so the page searches the org path instead.
    """
    try:
        endpoint = tk.request.endpoint
    except (RuntimeError, TypeError, AttributeError):
        return search_params
    if endpoint != "organization.read":
        return search_params
    fq = search_params.get("fq") or ""
    org_dict = getattr(tk.g, "group_dict", None) or {}
    marker = f'owner_org:"{org_dict.get("id")}"'
    if org_dict and marker in fq:
        search_params["fq"] = fq.replace(marker, f'qy_org_path:"{org_dict["name"]}"')
    return search_params

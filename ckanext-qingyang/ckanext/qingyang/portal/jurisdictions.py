"""The portal's jurisdiction choice: 全市, 市本级, the 8 counties and their townships.

The choices are the governments of catalogs/organizations.yaml. A choice is kept in the
`qy_jurisdiction` cookie (its region code) and narrows every theme page and search to
the items that serve that place: a county's own and its townships' items; for a
township, its own and its county's county-level items.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import ckan.plugins.toolkit as tk

from ckanext.qingyang.core import orgtree

COOKIE = "qy_jurisdiction"
CITY_LEVEL = "city"


@dataclass
class Jurisdiction:
    code: str          # GB/T 2260 region code; "" is 全市 (no filter)
    name: str          # 环县, 曲子镇; 市本级 for the city's own departments
    name_en: str
    level: str         # "", city, county, township
    county_code: str = ""
    townships: list["Jurisdiction"] = field(default_factory=list)

    def scope_fq(self) -> str | None:
        """Solr filter for the items that serve this place (None: everything)."""
        if self.level == "city":
            return "jurisdiction_level:city"
        if self.level == "county":
            return f'county_code:"{self.code}"'
        if self.level == "township":
            return (f'(qy_region:"{self.code}" OR '
                    f'(county_code:"{self.county_code}" AND jurisdiction_level:county))')
        return None


ALL = Jurisdiction("", "全市", "All of Qingyang", "")


def _english(title_en: str) -> str:
    # "Huan County People's Government" -> "Huan County"
    return title_en.split(" People's Government")[0]


def build(entries: list[dict]) -> list[Jurisdiction]:
    """市本级 then each county with its townships, in the tree's order."""
    out: list[Jurisdiction] = []
    counties: dict[str, Jurisdiction] = {}
    for e in entries:
        if e.get("kind") != "government":
            continue
        code, level = str(e["region_code"]), e["jurisdiction_level"]
        if level == "city":
            out.insert(0, Jurisdiction(code, "市本级", "City level", level))
        elif level == "county":
            counties[e["name"]] = Jurisdiction(code, e["jurisdiction"], _english(e.get("title_en", "")),
                                               level, county_code=code)
            out.append(counties[e["name"]])
        elif level == "township" and e.get("parent") in counties:
            county = counties[e["parent"]]
            county.townships.append(Jurisdiction(
                code, e["jurisdiction"], _english(e.get("title_en", "")).split(",")[0],
                level, county_code=county.code))
    return out


@functools.lru_cache(maxsize=1)
def _tree(path: str) -> tuple[list[Jurisdiction], dict[str, Jurisdiction]]:
    top = build(orgtree.read_tree(path))
    index = {j.code: j for j in top}
    index.update({t.code: t for j in top for t in j.townships})
    return top, index


def tree() -> list[Jurisdiction]:
    return _tree(_path())[0]


def by_code(code: str | None) -> Jurisdiction | None:
    if not code:
        return ALL
    return _tree(_path())[1].get(code)


def _path() -> str:
    return str(Path(tk.config.get("ckanext.qingyang.catalogs_dir")) / "organizations.yaml")


def current() -> Jurisdiction:
    """The visitor's choice (cookie); an unknown or stale code is 全市."""
    try:
        code = tk.request.cookies.get(COOKIE, "")
    except (RuntimeError, TypeError, AttributeError):
        return ALL
    return by_code(code) or ALL


def label_of(code: str, level: str, county: str, place: str) -> str:
    """How a result names where it belongs: 市本级, 环县, 环县曲子镇."""
    if level == CITY_LEVEL:
        return "市本级"
    if level == "township" and county and place and place != county:
        return f"{county}{place}"
    return county or place or ""

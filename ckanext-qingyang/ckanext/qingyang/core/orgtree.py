"""Load the organization tree (catalogs/organizations.yaml) into CKAN.

The tree is keyed by organization `name`, which never changes, so a renamed
department is updated in place. Only organizations whose fields differ are
written: a second run changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import yaml

log = logging.getLogger(__name__)

# Fields copied from the YAML entry to the CKAN organization as they are.
PLAIN_FIELDS = ("title", "short_title", "title_en", "kind", "jurisdiction_level",
                "jurisdiction", "region_code", "uscc", "sample_note")


def read_tree(path: str | Path) -> list[dict[str, Any]]:
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["organizations"]


def desired_org(entry: dict[str, Any]) -> dict[str, Any]:
    """The organization dict CKAN should hold for one YAML entry."""
    org = {k: ("" if entry.get(k) is None else str(entry[k])) for k in PLAIN_FIELDS}
    org["name"] = entry["name"]
    org["roles"] = " ".join(entry.get("roles") or [])
    org["sample"] = "true" if entry.get("sample") else "false"
    org["groups"] = [{"name": entry["parent"], "capacity": "parent"}] if entry.get("parent") else []
    return org


def differs(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    changed = [k for k, v in wanted.items() if k != "groups" and (current.get(k) or "") != v]
    parents = sorted(g["name"] for g in current.get("groups") or [])
    if parents != sorted(g["name"] for g in wanted["groups"]):
        changed.append("parent")
    if current.get("state") != "active":
        changed.append("state")
    return changed


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"organizations: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")


def load_tree(entries: list[dict[str, Any]], action: Callable[[str, dict], Any],
              not_found: type[Exception]) -> LoadReport:
    """Create or update every organization; parents first (the file's order)."""
    report = LoadReport()
    for entry in entries:
        wanted = desired_org(entry)
        try:
            current = action("organization_show", {"id": wanted["name"], "include_datasets": False,
                                                   "include_users": False})
        except not_found:
            action("organization_create", wanted)
            report.created.append(wanted["name"])
            continue
        changed = differs(current, wanted)
        if changed:
            action("organization_patch", dict(wanted, id=current["id"], state="active"))
            log.info("organization %s updated: %s", wanted["name"], ", ".join(changed))
            report.updated.append(wanted["name"])
        else:
            report.unchanged.append(wanted["name"])
    return report

"""Is CKAN the platform's: 2.12, with the qingyang plugin? Checks of a ``status_show`` result."""
from __future__ import annotations

from typing import Any

EXPECTED_CKAN_VERSION_PREFIX = "2.12"
REQUIRED_PLUGIN = "qingyang"


def status_problems(status: dict[str, Any]) -> list[str]:
    """Everything wrong with a ``status_show`` result (empty list: all good)."""
    problems = []
    version = str(status.get("ckan_version") or "")
    if not (version == EXPECTED_CKAN_VERSION_PREFIX or version.startswith(EXPECTED_CKAN_VERSION_PREFIX + ".")):
        problems.append(f"ckan_version is {version!r}, expected {EXPECTED_CKAN_VERSION_PREFIX}.x")
    extensions = status.get("extensions")
    if not isinstance(extensions, list):
        problems.append(f"extensions is not a list: {extensions!r}")
    elif REQUIRED_PLUGIN not in extensions:
        problems.append(f"plugin {REQUIRED_PLUGIN!r} not enabled; extensions: {extensions}")
    return problems


def summarize(status: dict[str, Any]) -> dict[str, Any]:
    """Raise on any problem; return the few fields worth keeping as XCom."""
    problems = status_problems(status)
    if problems:
        raise ValueError("CKAN status check failed: " + "; ".join(problems))
    return {
        "ckan_version": status["ckan_version"],
        "site_url": status.get("site_url"),
        "extensions": sorted(status["extensions"]),
    }

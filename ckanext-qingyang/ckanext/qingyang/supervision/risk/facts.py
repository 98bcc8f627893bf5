"""What the 督查考核 scoreboard reads of 风险评估 (its 安全 indicator). The lead's contract:

- ``open_findings(org_id: str, at: datetime.date | None = None) -> list[dict]``: the
  department's findings open on that date (default today), each {"id", "package_id",
  "package_title", "where" (field or row/column), "rule", "rule_label", "first_found"
  (ISO date), "url"}. Open on a date: first found on or before it, not closed by then.
- ``report_url(org_id) -> str``: the department's 风险评估报告 page.
"""
from __future__ import annotations

import datetime

import ckan.plugins.toolkit as tk

KEYS = ("id", "package_id", "package_title", "where", "rule", "rule_label", "first_found", "url")


def open_findings(org_id: str, at: datetime.date | None = None) -> list[dict]:
    from ckanext.qingyang.supervision.risk.actions import finding_dict, select_findings

    return [{k: d[k] for k in KEYS} for d in map(finding_dict, select_findings(org_id, "open", at))]


def report_url(org_id: str) -> str:
    return tk.url_for("qingyang_risk.org_report", org_id=org_id)

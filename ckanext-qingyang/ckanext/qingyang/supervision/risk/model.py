"""风险评估's tables, on the plugin's own metadata (ckanext.qingyang.model, kept out of CKAN's
for the reason model.py gives): scan runs, what each item's sources looked like when last
read (so an unchanged file is not read twice), and the findings.

A finding is one (item, key) row: core/risk.py's key is the same on every rescan that finds
it again, so a re-found finding stays the same row; a rescan of its source that no longer
finds it closes it (closed_on); finding it again later reopens it.

Made by migration/qingyang/versions/c7a2e5f19b30_risk_tables.py.
"""
from __future__ import annotations

import sqlalchemy as sa

from ckanext.qingyang.model import metadata

scan_run = sa.Table(
    "qingyang_risk_run", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),           # the DAG run's id
    sa.Column("started", sa.DateTime, nullable=False),
    sa.Column("updated", sa.DateTime, nullable=False),
    sa.Column("items", sa.Integer, nullable=False, server_default="0"),
    sa.Column("sources_read", sa.Integer, nullable=False, server_default="0"),     # fields and files read
    sa.Column("tables_read", sa.Integer, nullable=False, server_default="0"),      # DataStore tables (every run)
    sa.Column("sources_unchanged", sa.Integer, nullable=False, server_default="0"),
)

# One row per item and source ("fields", a resource id, "datastore:<resource id>").
source_state = sa.Table(
    "qingyang_risk_source", metadata,
    sa.Column("package_id", sa.UnicodeText, primary_key=True),
    sa.Column("source", sa.UnicodeText, primary_key=True),
    sa.Column("fingerprint", sa.UnicodeText, nullable=False),
    sa.Column("scanned_at", sa.DateTime, nullable=False),
    sa.Column("run_id", sa.UnicodeText, nullable=False),
)

finding = sa.Table(
    "qingyang_risk_finding", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False),
    sa.Column("key", sa.UnicodeText, nullable=False),
    sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
    sa.Column("package_name", sa.UnicodeText, nullable=False),
    sa.Column("package_title", sa.UnicodeText, nullable=False),
    sa.Column("source", sa.UnicodeText, nullable=False),
    sa.Column("where", sa.UnicodeText, nullable=False),
    sa.Column("rule", sa.UnicodeText, nullable=False),
    sa.Column("masked", sa.UnicodeText, nullable=False),          # never the full number
    sa.Column("first_found", sa.Date, nullable=False),
    sa.Column("last_found", sa.Date, nullable=False),
    sa.Column("closed_on", sa.Date),                              # None: open
    sa.Column("first_run", sa.UnicodeText, nullable=False),
    sa.Column("last_run", sa.UnicodeText, nullable=False),
    sa.UniqueConstraint("package_id", "key", name="qingyang_risk_finding_item_key"),
    sa.Index("qingyang_risk_finding_org_open", "owner_org", "closed_on"),
)

TABLES = ("qingyang_risk_run", "qingyang_risk_source", "qingyang_risk_finding")

"""The scoreboard's monthly snapshots: once a month is taken it never changes (the database
refuses rewrites), so history stays as it was published even when the facts change later.

Kept out of CKAN's metadata like the other plugin tables (see model.py); made by migration
c7d2e5f8a913.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

# one row per month taken: the rule it was computed with, who took it and when
snapshot = sa.Table(
    "qingyang_assessment_month", metadata,
    sa.Column("month", sa.UnicodeText, primary_key=True),          # YYYY-MM
    sa.Column("rules_from", sa.UnicodeText, nullable=False),       # the assessment.yaml version
    sa.Column("rules", JSONB, nullable=False),
    sa.Column("taken_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("taken_by", sa.UnicodeText, nullable=False),
)

# one row per organization and month: its indicators (with their facts and evidence) and total
score = sa.Table(
    "qingyang_assessment_score", metadata,
    sa.Column("month", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("organization", sa.UnicodeText, nullable=False),     # name then
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText),
    sa.Column("level", sa.UnicodeText),
    sa.Column("county_code", sa.UnicodeText),
    sa.Column("county", sa.UnicodeText),
    sa.Column("total", sa.Float),
    sa.Column("rank", sa.Integer),
    sa.Column("indicators", JSONB, nullable=False),
    sa.PrimaryKeyConstraint("month", "organization_id"),
    sa.Index("qingyang_assessment_score_org", "organization_id", "month"),
)

TABLES = ("qingyang_assessment_month", "qingyang_assessment_score")

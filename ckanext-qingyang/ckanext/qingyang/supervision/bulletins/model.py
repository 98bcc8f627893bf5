"""通报: a month's draft (regenerated until the platform admin issues it), then the issued
bulletin, which never changes: the database refuses to rewrite or delete an issued row, and
its XLSX and PDF lie read-only in the archive with their SHA-256 here.

Kept out of CKAN's metadata like the other plugin tables (model.py); migration d4e9b1c7a2f6.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB

metadata = sa.MetaData()

bulletin = sa.Table(
    "qingyang_bulletin", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("month", sa.UnicodeText, nullable=False, index=True),     # YYYY-MM
    sa.Column("state", sa.UnicodeText, nullable=False),                 # draft | issued
    sa.Column("number", sa.UnicodeText),                                # 文号, given on issue
    sa.Column("content", JSONB, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("created_by", sa.UnicodeText, nullable=False),
    sa.Column("issued_at", sa.DateTime(timezone=True)),
    sa.Column("issued_by", sa.UnicodeText),
    sa.Column("files", JSONB),             # {fmt: {"path": relative to the archive, "sha256", "bytes"}}
    sa.Column("recipients", JSONB),        # user names notified
    sa.Index("qingyang_bulletin_one_issued", "month", unique=True, postgresql_where=sa.text("state = 'issued'")),
)

TABLES = ("qingyang_bulletin",)

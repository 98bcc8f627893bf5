"""The plugin's own tables: share requests and grants, the access audit log, notices,
and the publishing workflow (versions, reviews, adjustments).

Kept out of CKAN's metadata on purpose: CKAN's test reset deletes rows from
every table it knows, and the audit log refuses deletes. The tables are made
by the migrations in migration/qingyang (`ckan db upgrade`).
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

metadata = sa.MetaData()

# 共享申请 (kind share, by a department) and 开放申请 (kind open, by a registered user).
# An approved request is a grant while today is inside its period and it is not revoked.
share_request = sa.Table(
    "qingyang_share_request", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
    sa.Column("requester_id", sa.UnicodeText, nullable=False),
    sa.Column("requester_org", sa.UnicodeText, index=True),
    sa.Column("purpose", sa.UnicodeText, nullable=False),
    sa.Column("basis", sa.UnicodeText, nullable=False),
    sa.Column("info_items", sa.UnicodeText, nullable=False),
    sa.Column("period_start", sa.Date, nullable=False),
    sa.Column("period_end", sa.Date, nullable=False),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("due_date", sa.Date, nullable=False),
    sa.Column("decided_at", sa.DateTime),
    sa.Column("decided_by", sa.UnicodeText),
    sa.Column("decision_reason", sa.UnicodeText),
    sa.Column("revoked_at", sa.DateTime),
    sa.Column("revoked_by", sa.UnicodeText),
    sa.Column("revoke_reason", sa.UnicodeText),
)

# Append-only: the database refuses UPDATE, DELETE and TRUNCATE, and chains
# each row's hash to the previous one (see the migration).
access_log = sa.Table(
    "qingyang_access_log", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("seq", sa.BigInteger),
    sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("user_id", sa.UnicodeText),
    sa.Column("user_name", sa.UnicodeText, nullable=False),
    sa.Column("user_orgs", sa.UnicodeText, nullable=False),
    sa.Column("access", sa.UnicodeText, nullable=False),
    sa.Column("package_id", sa.UnicodeText, index=True),   # None on a search row (see items)
    sa.Column("package_title", sa.UnicodeText),
    sa.Column("resource_id", sa.UnicodeText),
    sa.Column("owner_org", sa.UnicodeText, index=True),
    sa.Column("grant_id", sa.UnicodeText),
    sa.Column("client_addr", sa.UnicodeText),
    sa.Column("prev_hash", sa.UnicodeText),
    sa.Column("row_hash", sa.UnicodeText),
    # one search page view: JSON [{id, title, owner_org}] of the restricted items it showed
    sa.Column("items", sa.UnicodeText),
    sa.Column("item_orgs", ARRAY(sa.UnicodeText)),
)

# Append-only: one row per month moved out of qingyang_access_log into a gzip'd
# JSON-lines file, with the file's SHA-256 and the chain's ends (see the migration).
access_log_archive = sa.Table(
    "qingyang_access_log_archive", metadata,
    sa.Column("month", sa.UnicodeText, primary_key=True),
    sa.Column("period_start", sa.DateTime(timezone=True), nullable=False),
    sa.Column("period_end", sa.DateTime(timezone=True), nullable=False),
    sa.Column("file_name", sa.UnicodeText, nullable=False),
    sa.Column("sha256", sa.UnicodeText, nullable=False),
    sa.Column("rows", sa.BigInteger, nullable=False),
    sa.Column("first_seq", sa.BigInteger, nullable=False),
    sa.Column("last_seq", sa.BigInteger, nullable=False),
    sa.Column("first_prev_hash", sa.UnicodeText, nullable=False),
    sa.Column("last_row_hash", sa.UnicodeText, nullable=False),
    sa.Column("archived_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
    sa.Column("archived_by", sa.UnicodeText),
)

notice = sa.Table(
    "qingyang_notice", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("subject", sa.UnicodeText, nullable=False),
    sa.Column("body", sa.UnicodeText, nullable=False),
    sa.Column("link", sa.UnicodeText),
    sa.Column("read_at", sa.DateTime),
)


# One row per version of an item that went, or is going, through review.
# change: create (first publication), revise (edit of a published item), restore
# (a cancelled item listed again), adjust (an office's adjustment after a law changed). state: draft, pending, returned,
# published (the current published version), superseded, withdrawn.
# `data` holds a revision's proposed package dict until it is published; a first
# version's content is the (private) package itself.
version = sa.Table(
    "qingyang_version", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("package_type", sa.UnicodeText, nullable=False),
    sa.Column("owner_org", sa.UnicodeText, nullable=False, index=True),
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("change", sa.UnicodeText, nullable=False),
    sa.Column("state", sa.UnicodeText, nullable=False, index=True),
    sa.Column("title", sa.UnicodeText),
    sa.Column("data", sa.UnicodeText),
    sa.Column("offices", sa.UnicodeText),          # JSON {role: office organization id}
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.UnicodeText),
    sa.Column("submitted_by", sa.UnicodeText),
    sa.Column("submitter_name", sa.UnicodeText),
    sa.Column("submitter_org", sa.UnicodeText),
    sa.Column("declaration", sa.UnicodeText),
    sa.Column("submitted_at", sa.DateTime),
    sa.Column("return_reason", sa.UnicodeText),
    sa.Column("published_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("adjustment_id", sa.UnicodeText),
    sa.Column("reason", sa.UnicodeText),           # why the change was proposed (a 恢复's reason)
)

# Append-only: each reviewer's decision on a version (the database refuses rewrites).
review = sa.Table(
    "qingyang_review", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("version_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("package_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("reviewer_id", sa.UnicodeText, nullable=False),
    sa.Column("reviewer_name", sa.UnicodeText, nullable=False),
    sa.Column("office_org", sa.UnicodeText, nullable=False),
    sa.Column("role", sa.UnicodeText, nullable=False),
    sa.Column("decision", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText),
    sa.Column("at", sa.DateTime, nullable=False),
)

# Append-only: the public 调整公告 (one announcement per adjustment of many items).
adjustment = sa.Table(
    "qingyang_adjustment", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("action", sa.UnicodeText, nullable=False),
    sa.Column("reason", sa.UnicodeText, nullable=False),
    sa.Column("basis", sa.UnicodeText, nullable=False),
    sa.Column("cited", sa.UnicodeText),
    sa.Column("office_org", sa.UnicodeText, nullable=False),
    sa.Column("by_user", sa.UnicodeText, nullable=False),
    sa.Column("by_name", sa.UnicodeText, nullable=False),
    sa.Column("items", sa.UnicodeText, nullable=False),   # JSON [{id, name, title, owner_org}]
)

# Append-only (等保 2.0 安全审计): logins, failed logins, lockouts, unlocks and admin changes
# (accounts, department membership, sysadmin rights). The database refuses rewrites.
security_event = sa.Table(
    "qingyang_security_event", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False, index=True),
    sa.Column("kind", sa.UnicodeText, nullable=False, index=True),
    sa.Column("actor", sa.UnicodeText),              # who did it (user name); None for anonymous
    sa.Column("subject", sa.UnicodeText, index=True),  # the account it concerns (user name / login)
    sa.Column("target", sa.UnicodeText),             # e.g. the department, for membership changes
    sa.Column("detail", sa.UnicodeText),             # JSON
    sa.Column("client_addr", sa.UnicodeText),
)

"""The boards' tables, on the plugin's own metadata (ckanext.qingyang.model): messages, their
append-only history, attachments, 督办单 and the escalation steps taken.

Made by migration/qingyang/versions/b5d81e3a9c27_boards_tables.py.
"""
from __future__ import annotations

import sqlalchemy as sa

from ckanext.qingyang.model import metadata

# The message as it stands now; how it got here is in message_history.
message = sa.Table(
    "qingyang_message", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("code", sa.UnicodeText, nullable=False, unique=True),   # 查询码 (unique index)
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),     # the handler now
    sa.Column("addressed_org", sa.UnicodeText),                        # the asker's choice (None: 不清楚)
    sa.Column("centre_id", sa.UnicodeText, nullable=False, index=True),   # the jurisdiction's 政务服务中心
    sa.Column("jurisdiction", sa.UnicodeText),                         # region code of the centre
    sa.Column("handlers", sa.UnicodeText, nullable=False, server_default=""),  # every handler, space-separated
    sa.Column("title", sa.UnicodeText, nullable=False),
    sa.Column("content", sa.UnicodeText, nullable=False),
    sa.Column("name", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("anonymous", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("phone", sa.UnicodeText, nullable=False),
    sa.Column("publish_consent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False, index=True),
    sa.Column("created_by", sa.UnicodeText),                           # a token's user, None for the web form
    sa.Column("accepted_at", sa.DateTime),
    sa.Column("started_on", sa.Date),                                  # the clock's start (acceptance, dispatch)
    sa.Column("deadline", sa.Date, index=True),
    sa.Column("round", sa.Integer, nullable=False, server_default="1"),
    sa.Column("transfers_used", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reject_reason", sa.UnicodeText),
    # replies: the first, and the second after a 不满意
    sa.Column("reply_text", sa.UnicodeText),
    sa.Column("reply_at", sa.DateTime),
    sa.Column("reply_org", sa.UnicodeText),
    sa.Column("reply_user", sa.UnicodeText),
    sa.Column("reply_days", sa.Integer),                               # working days taken
    sa.Column("reply_on_time", sa.Boolean),
    sa.Column("reply2_text", sa.UnicodeText),
    sa.Column("reply2_at", sa.DateTime),
    sa.Column("reply2_org", sa.UnicodeText),
    sa.Column("reply2_user", sa.UnicodeText),
    sa.Column("rating", sa.UnicodeText),                               # the last rating
    sa.Column("first_rating", sa.UnicodeText),
    sa.Column("rated_at", sa.DateTime),
    # extension (once)
    sa.Column("extension_reason", sa.UnicodeText),
    sa.Column("extension_at", sa.DateTime),
    sa.Column("extension_by", sa.UnicodeText),
    sa.Column("extension_decision", sa.UnicodeText),                   # approved / refused
    sa.Column("extension_decided_at", sa.DateTime),
    sa.Column("extension_decision_reason", sa.UnicodeText),
    sa.Column("extension_old_deadline", sa.Date),
    sa.Column("published", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("published_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),   # 示例
    sa.Column("updated", sa.DateTime, nullable=False),
    sa.Index("qingyang_message_org_status", "organization_id", "status"),
    sa.Index("qingyang_message_centre_status", "centre_id", "status"),
    sa.Index("qingyang_message_public", "published", "reply_at"),
)

# Append-only (the database refuses UPDATE, DELETE, TRUNCATE): who, when, what, why.
message_history = sa.Table(
    "qingyang_message_history", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("message_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("step", sa.UnicodeText, nullable=False),
    sa.Column("from_status", sa.UnicodeText),
    sa.Column("to_status", sa.UnicodeText),
    sa.Column("user_id", sa.UnicodeText),        # None: the asker (by code) or the system
    sa.Column("user_name", sa.UnicodeText),
    sa.Column("organization_id", sa.UnicodeText),   # the acting department
    sa.Column("target_org", sa.UnicodeText),     # where a dispatch / transfer sent it
    sa.Column("note", sa.UnicodeText),           # the why: reason, rating, reply excerpt...
)

attachment = sa.Table(
    "qingyang_message_attachment", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("message_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("filename", sa.UnicodeText, nullable=False),
    sa.Column("mimetype", sa.UnicodeText, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.UnicodeText, nullable=False),
    sa.Column("created", sa.DateTime, nullable=False),
)

# 督办单: kept for the assessment scoreboard (a later issue); append-only.
supervision = sa.Table(
    "qingyang_supervision", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("message_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),   # the department supervised
    sa.Column("centre_id", sa.UnicodeText, nullable=False),
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.Column("issued_by", sa.UnicodeText, nullable=False),
    sa.Column("issued_by_name", sa.UnicodeText, nullable=False),
    sa.Column("reply_due", sa.Date, nullable=False),
    sa.Column("deadline", sa.Date),               # the message's deadline when issued
    sa.Column("days_late", sa.Integer, nullable=False),
    sa.Column("note", sa.UnicodeText, nullable=False),
)

# The ladder's steps taken, each once per message and round ("remind:1"); report rows
# are the monthly 通报's list.
ladder_step = sa.Table(
    "qingyang_message_ladder", metadata,
    sa.Column("message_id", sa.UnicodeText, primary_key=True),
    sa.Column("step", sa.UnicodeText, primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("organization_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("days_late", sa.Integer, nullable=False, server_default="0"),
)

message_seq = sa.Sequence("qingyang_message_seq", metadata=metadata)

TABLES = ("qingyang_message", "qingyang_message_history", "qingyang_message_attachment",
          "qingyang_supervision", "qingyang_message_ladder")
APPEND_ONLY = ("qingyang_message_history", "qingyang_supervision")

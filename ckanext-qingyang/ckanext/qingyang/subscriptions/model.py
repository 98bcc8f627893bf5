"""The subscriptions table, on the plugin's metadata (CKAN's test reset leaves it alone).
Made by migration/qingyang/versions/f2a4c6e8b013_subscriptions.py."""
from __future__ import annotations

import sqlalchemy as sa

from ckanext.qingyang.model import metadata

KINDS = ("organization", "list_type")

subscription = sa.Table(
    "qingyang_subscription", metadata,
    sa.Column("id", sa.UnicodeText, primary_key=True),
    sa.Column("user_id", sa.UnicodeText, nullable=False, index=True),
    sa.Column("kind", sa.UnicodeText, nullable=False),        # organization / list_type
    sa.Column("target", sa.UnicodeText, nullable=False),      # the organization's id, or the type's name
    sa.Column("created", sa.DateTime, nullable=False),
    sa.Column("last_sent", sa.DateTime),                      # changes after it go in the next mail
    sa.Column("token", sa.UnicodeText, nullable=False, unique=True),   # the mail's 退订 link
    sa.UniqueConstraint("user_id", "kind", "target", name="qingyang_subscription_once"),
)

TABLES = ("qingyang_subscription",)

"""效能监察's tables, on the plugin's own metadata (ckanext.qingyang.model; CKAN's test reset
leaves them alone): the cases as they stand, keyed by 办件编号, and the quarantined records.

Made by migration/qingyang/versions/c7e2a9d4b816_efficiency_cases.py. Loaded in bulk by
actions.py (COPY into a temporary staging table, then one upsert).
"""
from __future__ import annotations

import sqlalchemy as sa

from ckanext.qingyang.model import metadata

# One row per 办件; a later state of the record overwrites it, the same record changes nothing
# (record_hash). Timing columns are computed at load with core/cases.py.
case = sa.Table(
    "qingyang_case", metadata,
    sa.Column("case_no", sa.UnicodeText, primary_key=True),
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("item_id", sa.UnicodeText, nullable=False),
    sa.Column("item_title", sa.UnicodeText, nullable=False),
    sa.Column("item_kind", sa.UnicodeText, nullable=False),          # approval_item / service_item
    sa.Column("applicant_type", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("accepted_at", sa.DateTime, nullable=False),
    sa.Column("accept_at", sa.DateTime),
    sa.Column("review_at", sa.DateTime),
    sa.Column("decide_at", sa.DateTime),
    sa.Column("deliver_at", sa.DateTime),
    sa.Column("closed_at", sa.DateTime),
    sa.Column("closed_on", sa.Date),                                 # closed_at's day: the monthly statistics' key
    sa.Column("status", sa.UnicodeText, nullable=False),
    sa.Column("online", sa.Boolean, nullable=False),
    sa.Column("days", sa.Integer),                                   # working days taken (closed cases)
    sa.Column("accept_days", sa.Integer),
    sa.Column("review_days", sa.Integer),
    sa.Column("decide_days", sa.Integer),
    sa.Column("deliver_days", sa.Integer),
    sa.Column("promised_days", sa.Integer, nullable=False),
    sa.Column("statutory_days", sa.Integer, nullable=False),
    sa.Column("due_on", sa.Date, nullable=False),                    # the promised limit's last day
    sa.Column("statutory_due_on", sa.Date, nullable=False),
    sa.Column("verdict", sa.UnicodeText),                            # 按时 / 超承诺时限 / 超法定时限
    sa.Column("code_hash", sa.UnicodeText),                          # sha256(case_no:查询码), for 我要查
    sa.Column("record_hash", sa.UnicodeText, nullable=False),
    sa.Column("demo", sa.Boolean, nullable=False, server_default=sa.false()),   # 示例
    sa.Column("loaded_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("qingyang_case_org_closed", "organization_id", "closed_on"),
    sa.Index("qingyang_case_item_closed", "item_id", "closed_on"),
    sa.Index("qingyang_case_org_due", "organization_id", "due_on"),
)

# A record that could not be stored, with the reason; the same problem of the same record
# is kept once however often it is sent again.
quarantine = sa.Table(
    "qingyang_case_quarantine", metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=True),
    sa.Column("organization_id", sa.UnicodeText, index=True),        # None: the department is unknown
    sa.Column("department", sa.UnicodeText, nullable=False, server_default=""),   # as the record named it
    sa.Column("case_no", sa.UnicodeText, nullable=False, server_default=""),
    sa.Column("record", sa.UnicodeText, nullable=False),             # the record as sent (JSON)
    sa.Column("record_hash", sa.UnicodeText, nullable=False),
    sa.Column("field", sa.UnicodeText, nullable=False),
    sa.Column("kind", sa.UnicodeText, nullable=False),               # unknown_item, order, future, duplicate, ...
    sa.Column("reason", sa.UnicodeText, nullable=False),
    sa.Column("first_seen", sa.DateTime, nullable=False),
    sa.Column("last_seen", sa.DateTime, nullable=False),
    sa.Column("resolved_at", sa.DateTime),                           # a later good record of the case
    sa.UniqueConstraint("record_hash", "field", "kind", name="qingyang_case_quarantine_once"),
)

# Each card a case got, once: the alert (in-app notice) went out when the row was made.
case_alert = sa.Table(
    "qingyang_case_alert", metadata,
    sa.Column("case_no", sa.UnicodeText, primary_key=True),
    sa.Column("card", sa.UnicodeText, primary_key=True),             # 黄牌 / 红牌
    sa.Column("organization_id", sa.UnicodeText, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)

TABLES = ("qingyang_case", "qingyang_case_quarantine", "qingyang_case_alert")

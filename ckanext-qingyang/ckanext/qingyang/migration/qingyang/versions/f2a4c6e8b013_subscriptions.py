"""订阅: a user's subscriptions to a department's or a list type's changes.

Revision ID: f2a4c6e8b013
Revises: c7e2a9d4b816
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.model import metadata
from ckanext.qingyang.subscriptions import model  # noqa: F401  (puts the table on the metadata)

revision = "f2a4c6e8b013"
down_revision = "c7e2a9d4b816"
branch_labels = None
depends_on = None


def upgrade():
    metadata.create_all(op.get_bind(), tables=[metadata.tables["qingyang_subscription"]])


def downgrade():
    op.execute("DROP TABLE IF EXISTS qingyang_subscription")

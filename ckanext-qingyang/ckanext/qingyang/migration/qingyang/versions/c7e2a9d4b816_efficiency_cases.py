"""效能监察: the cases (办件) and their quarantine.

Revision ID: c7e2a9d4b816
Revises: c7a2e5f19b30
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.model import metadata
from ckanext.qingyang.supervision.efficiency.model import TABLES

revision = "c7e2a9d4b816"
down_revision = "c7a2e5f19b30"
branch_labels = None
depends_on = None


def upgrade():
    metadata.create_all(op.get_bind(), tables=[metadata.tables[t] for t in TABLES])


def downgrade():
    for t in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {t}")

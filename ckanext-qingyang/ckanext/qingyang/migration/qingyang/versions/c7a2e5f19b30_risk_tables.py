"""风险评估: scan runs, source fingerprints, findings.

Revision ID: c7a2e5f19b30
Revises: d4e9b1c7a2f6
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.model import metadata
from ckanext.qingyang.supervision.risk.model import TABLES

revision = "c7a2e5f19b30"
down_revision = "d4e9b1c7a2f6"
branch_labels = None
depends_on = None


def upgrade():
    metadata.create_all(op.get_bind(), tables=[metadata.tables[t] for t in TABLES])


def downgrade():
    metadata.drop_all(op.get_bind(), tables=[metadata.tables[t] for t in reversed(TABLES)])

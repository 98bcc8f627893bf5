"""Item versions record why they were proposed (e.g. a 恢复 of a cancelled item).

Revision ID: 9c4e1b7d2f05
Revises: 7b2e9d4c1a83
Create Date: 2026-12-02

"""
import sqlalchemy as sa
from alembic import op

revision = "9c4e1b7d2f05"
down_revision = "7b2e9d4c1a83"
branch_labels = None
depends_on = None


def upgrade():
    # the earlier migration builds its tables from the live model, which has this column already
    if "reason" not in {c["name"] for c in sa.inspect(op.get_bind()).get_columns("qingyang_version")}:
        op.add_column("qingyang_version", sa.Column("reason", sa.UnicodeText))


def downgrade():
    op.drop_column("qingyang_version", "reason")

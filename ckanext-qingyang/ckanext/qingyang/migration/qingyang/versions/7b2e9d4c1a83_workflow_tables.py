"""Publishing workflow: item versions, append-only reviews and adjustment announcements.

Revision ID: 7b2e9d4c1a83
Revises: 4f1a2c3d5e60
Create Date: 2026-11-28

"""
from alembic import op

from ckanext.qingyang.model import metadata

revision = "7b2e9d4c1a83"
down_revision = "4f1a2c3d5e60"
branch_labels = None
depends_on = None

TABLES = ("qingyang_version", "qingyang_review", "qingyang_adjustment")
APPEND_ONLY = ("qingyang_review", "qingyang_adjustment")

REFUSE = r"""
CREATE OR REPLACE FUNCTION qingyang_refuse_rewrite() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
"""


def upgrade():
    metadata.create_all(op.get_bind(), tables=[metadata.tables[t] for t in TABLES])
    op.execute(REFUSE)
    for t in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {t}_no_rewrite BEFORE UPDATE OR DELETE ON {t} "
                   f"FOR EACH ROW EXECUTE FUNCTION qingyang_refuse_rewrite()")
        op.execute(f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION qingyang_refuse_rewrite()")


def downgrade():
    for t in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {t}")
    op.execute("DROP FUNCTION IF EXISTS qingyang_refuse_rewrite()")

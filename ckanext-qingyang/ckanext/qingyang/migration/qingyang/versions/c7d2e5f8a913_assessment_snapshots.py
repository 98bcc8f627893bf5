"""督查考核 monthly snapshots (months and scores), append-only.

Revision ID: c7d2e5f8a913
Revises: a6d3f9b21c54
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.supervision.assessment.model import TABLES, metadata

revision = "c7d2e5f8a913"
down_revision = "a6d3f9b21c54"
branch_labels = None
depends_on = None

# the workflow migration's function; repeated (OR REPLACE) so this one stands alone
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
    for t in TABLES:
        op.execute(f"CREATE TRIGGER {t}_no_rewrite BEFORE UPDATE OR DELETE ON {t} "
                   f"FOR EACH ROW EXECUTE FUNCTION qingyang_refuse_rewrite()")
        op.execute(f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION qingyang_refuse_rewrite()")


def downgrade():
    for t in TABLES:
        op.execute(f"DROP TABLE IF EXISTS {t}")

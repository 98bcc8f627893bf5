"""Security events (logins, failures, lockouts, unlocks, admin changes), append-only.

Revision ID: e3f8a6c1d247
Revises: b5d81e3a9c27
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.model import metadata

revision = "e3f8a6c1d247"
down_revision = "b5d81e3a9c27"
branch_labels = None
depends_on = None

TABLE = "qingyang_security_event"

# the workflow migration's function; repeated (OR REPLACE) so this one stands alone
REFUSE = r"""
CREATE OR REPLACE FUNCTION qingyang_refuse_rewrite() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
"""


def upgrade():
    metadata.create_all(op.get_bind(), tables=[metadata.tables[TABLE]])
    op.execute(REFUSE)
    op.execute(f"CREATE TRIGGER {TABLE}_no_rewrite BEFORE UPDATE OR DELETE ON {TABLE} "
               f"FOR EACH ROW EXECUTE FUNCTION qingyang_refuse_rewrite()")
    op.execute(f"CREATE TRIGGER {TABLE}_no_truncate BEFORE TRUNCATE ON {TABLE} "
               f"FOR EACH STATEMENT EXECUTE FUNCTION qingyang_refuse_rewrite()")


def downgrade():
    op.execute(f"DROP TABLE IF EXISTS {TABLE}")

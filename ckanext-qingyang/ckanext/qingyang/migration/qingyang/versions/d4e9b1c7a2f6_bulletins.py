"""通报: drafts and issued bulletins; an issued one can be neither changed nor deleted.

Revision ID: d4e9b1c7a2f6
Revises: c7d2e5f8a913
Create Date: 2026-12-07

"""
from alembic import op

from ckanext.qingyang.supervision.bulletins.model import metadata

revision = "d4e9b1c7a2f6"
down_revision = "c7d2e5f8a913"
branch_labels = None
depends_on = None

GUARD = r"""
CREATE OR REPLACE FUNCTION qingyang_bulletin_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'TRUNCATE' THEN
    RAISE EXCEPTION 'qingyang_bulletin: issued bulletins are immutable: TRUNCATE refused'
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF OLD.state = 'issued' THEN
    RAISE EXCEPTION 'qingyang_bulletin: an issued bulletin is immutable: % refused', TG_OP
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER qingyang_bulletin_no_rewrite BEFORE UPDATE OR DELETE ON qingyang_bulletin
  FOR EACH ROW EXECUTE FUNCTION qingyang_bulletin_guard();
CREATE TRIGGER qingyang_bulletin_no_truncate BEFORE TRUNCATE ON qingyang_bulletin
  FOR EACH STATEMENT EXECUTE FUNCTION qingyang_bulletin_guard();
"""


def upgrade():
    metadata.create_all(op.get_bind())
    op.execute(GUARD)


def downgrade():
    op.execute("DROP TABLE IF EXISTS qingyang_bulletin")
    op.execute("DROP FUNCTION IF EXISTS qingyang_bulletin_guard()")

"""Boards (我要问/我要查/我要看): messages, append-only history, attachments, 督办单, ladder steps.

Revision ID: b5d81e3a9c27
Revises: 9c4e1b7d2f05
Create Date: 2026-12-02

"""
from alembic import op

from ckanext.qingyang.boards.model import APPEND_ONLY, TABLES, message_seq
from ckanext.qingyang.model import metadata

revision = "b5d81e3a9c27"
down_revision = "9c4e1b7d2f05"
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
    bind = op.get_bind()
    message_seq.create(bind, checkfirst=True)
    metadata.create_all(bind, tables=[metadata.tables[t] for t in TABLES])
    op.execute(REFUSE)
    for t in APPEND_ONLY:
        op.execute(f"CREATE TRIGGER {t}_no_rewrite BEFORE UPDATE OR DELETE ON {t} "
                   f"FOR EACH ROW EXECUTE FUNCTION qingyang_refuse_rewrite()")
        op.execute(f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION qingyang_refuse_rewrite()")


def downgrade():
    for t in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {t}")
    op.execute("DROP SEQUENCE IF EXISTS qingyang_message_seq")

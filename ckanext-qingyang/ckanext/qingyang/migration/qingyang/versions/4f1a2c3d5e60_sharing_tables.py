"""Share requests and grants, the append-only access audit log, in-app notices.

Revision ID: 4f1a2c3d5e60
Revises:
Create Date: 2026-11-28

"""
from alembic import op

from ckanext.qingyang.model import metadata

revision = "4f1a2c3d5e60"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("qingyang_share_request", "qingyang_access_log", "qingyang_notice")

# Each new audit row gets the next sequence number and a hash over its content
# and the previous row's hash, under a lock, inside the database: a row changed
# later (by someone who first disabled the guard) no longer matches its chain.
APPEND_ONLY = r"""
CREATE OR REPLACE FUNCTION qingyang_access_log_chain() RETURNS trigger AS $$
DECLARE last record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('qingyang_access_log'));
  SELECT seq, row_hash INTO last FROM qingyang_access_log ORDER BY seq DESC LIMIT 1;
  NEW.seq := COALESCE(last.seq, 0) + 1;
  NEW.prev_hash := COALESCE(last.row_hash, '');
  NEW.row_hash := encode(sha256(convert_to(concat_ws(E'\x1f', NEW.seq, NEW.prev_hash,
      to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), NEW.user_id, NEW.user_name,
      NEW.user_orgs, NEW.access, NEW.package_id, NEW.package_title, NEW.resource_id, NEW.owner_org,
      NEW.grant_id, NEW.client_addr), 'UTF8')), 'hex');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION qingyang_access_log_refuse() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'qingyang_access_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE TRIGGER qingyang_access_log_chain BEFORE INSERT ON qingyang_access_log
  FOR EACH ROW EXECUTE FUNCTION qingyang_access_log_chain();
CREATE TRIGGER qingyang_access_log_no_rewrite BEFORE UPDATE OR DELETE ON qingyang_access_log
  FOR EACH ROW EXECUTE FUNCTION qingyang_access_log_refuse();
CREATE TRIGGER qingyang_access_log_no_truncate BEFORE TRUNCATE ON qingyang_access_log
  FOR EACH STATEMENT EXECUTE FUNCTION qingyang_access_log_refuse();
CREATE UNIQUE INDEX qingyang_access_log_seq ON qingyang_access_log (seq);
"""


def upgrade():
    bind = op.get_bind()
    metadata.create_all(bind, tables=[metadata.tables[t] for t in TABLES])
    op.execute(APPEND_ONLY)


def downgrade():
    for t in reversed(TABLES):
        op.execute(f"DROP TABLE IF EXISTS {t}")
    op.execute("DROP FUNCTION IF EXISTS qingyang_access_log_chain(); "
               "DROP FUNCTION IF EXISTS qingyang_access_log_refuse();")

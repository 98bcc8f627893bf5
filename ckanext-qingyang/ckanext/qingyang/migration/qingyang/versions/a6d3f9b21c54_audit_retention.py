"""Access log retention: one row per search page view (items listed), monthly
archive files recorded in an append-only manifest, and the one path that may
remove archived rows from the table.

Revision ID: a6d3f9b21c54
Revises: e3f8a6c1d247
Create Date: 2026-12-07

"""
from alembic import op

revision = "a6d3f9b21c54"
down_revision = "e3f8a6c1d247"
branch_labels = None
depends_on = None

# The first migration builds the table from model.py, so on a fresh database the
# new columns are already there (IF NOT EXISTS).
# items / item_orgs join the hash at the end; concat_ws skips NULLs, so the
# hashes of the rows written before this migration stay what they were.
UPGRADE = r"""
ALTER TABLE qingyang_access_log ALTER COLUMN package_id DROP NOT NULL,
  ALTER COLUMN owner_org DROP NOT NULL, ADD COLUMN IF NOT EXISTS items text, ADD COLUMN IF NOT EXISTS item_orgs text[];
CREATE INDEX IF NOT EXISTS qingyang_access_log_item_orgs ON qingyang_access_log USING gin (item_orgs);
CREATE INDEX IF NOT EXISTS qingyang_access_log_at ON qingyang_access_log (at);

CREATE TABLE qingyang_access_log_archive (
  month text PRIMARY KEY,                   -- YYYY-MM (UTC)
  period_start timestamptz NOT NULL,
  period_end timestamptz NOT NULL,
  file_name text NOT NULL,
  sha256 text NOT NULL,
  rows bigint NOT NULL,
  first_seq bigint NOT NULL,
  last_seq bigint NOT NULL,
  first_prev_hash text NOT NULL,
  last_row_hash text NOT NULL,
  archived_at timestamptz NOT NULL DEFAULT now(),
  archived_by text
);
CREATE OR REPLACE FUNCTION qingyang_refuse_rewrite() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER qingyang_access_log_archive_no_rewrite BEFORE UPDATE OR DELETE ON qingyang_access_log_archive
  FOR EACH ROW EXECUTE FUNCTION qingyang_refuse_rewrite();
CREATE TRIGGER qingyang_access_log_archive_no_truncate BEFORE TRUNCATE ON qingyang_access_log_archive
  FOR EACH STATEMENT EXECUTE FUNCTION qingyang_refuse_rewrite();

-- A month's manifest must continue the chain where the previous one ended and lie
-- wholly before the current month.
CREATE OR REPLACE FUNCTION qingyang_access_log_archive_check() RETURNS trigger AS $$
DECLARE prev record;
BEGIN
  SELECT last_seq, last_row_hash, period_end INTO prev FROM qingyang_access_log_archive
    ORDER BY last_seq DESC LIMIT 1;
  IF prev IS NOT NULL AND (NEW.first_seq <> prev.last_seq + 1 OR NEW.first_prev_hash <> prev.last_row_hash
      OR NEW.period_start < prev.period_end) THEN
    RAISE EXCEPTION 'qingyang_access_log_archive: month % does not continue the archived chain', NEW.month;
  END IF;
  IF NEW.period_end > date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' THEN
    RAISE EXCEPTION 'qingyang_access_log_archive: month % is not over', NEW.month;
  END IF;
  RETURN NEW;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER qingyang_access_log_archive_check BEFORE INSERT ON qingyang_access_log_archive
  FOR EACH ROW EXECUTE FUNCTION qingyang_access_log_archive_check();

CREATE OR REPLACE FUNCTION qingyang_access_log_chain() RETURNS trigger AS $$
DECLARE last record;
DECLARE arch record;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('qingyang_access_log'));
  SELECT seq, row_hash INTO last FROM qingyang_access_log ORDER BY seq DESC LIMIT 1;
  IF last IS NULL THEN  -- every online row archived: continue from the last file
    SELECT last_seq AS seq, last_row_hash AS row_hash INTO arch FROM qingyang_access_log_archive
      ORDER BY last_seq DESC LIMIT 1;
    IF arch IS NOT NULL THEN last := arch; END IF;
  END IF;
  NEW.seq := COALESCE(last.seq, 0) + 1;
  NEW.prev_hash := COALESCE(last.row_hash, '');
  NEW.row_hash := encode(sha256(convert_to(concat_ws(E'\x1f', NEW.seq, NEW.prev_hash,
      to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), NEW.user_id, NEW.user_name,
      NEW.user_orgs, NEW.access, NEW.package_id, NEW.package_title, NEW.resource_id, NEW.owner_org,
      NEW.grant_id, NEW.client_addr, NEW.items, array_to_string(NEW.item_orgs, ' ')), 'UTF8')), 'hex');
  RETURN NEW;
END $$ LANGUAGE plpgsql;

-- UPDATE and TRUNCATE stay refused. A DELETE passes only inside
-- qingyang_access_log_release (its transaction-local flag) and only for a row a
-- manifest entry covers (its seq range and its month): the flag alone opens nothing,
-- and no row leaves the table before its month's file is recorded with its hash.
CREATE OR REPLACE FUNCTION qingyang_access_log_refuse() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' AND current_setting('qingyang.audit_release', true) = 'on' AND EXISTS (
      SELECT 1 FROM qingyang_access_log_archive a WHERE OLD.seq BETWEEN a.first_seq AND a.last_seq
        AND OLD.at >= a.period_start AND OLD.at < a.period_end) THEN
    RETURN OLD;
  END IF;
  RAISE EXCEPTION 'qingyang_access_log is append-only: % refused', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION qingyang_access_log_release(p_month text) RETURNS bigint AS $$
DECLARE a record;
DECLARE n bigint;
BEGIN
  SELECT * INTO a FROM qingyang_access_log_archive WHERE month = p_month;
  IF a IS NULL THEN
    RAISE EXCEPTION 'qingyang_access_log_release: month % has no archive file recorded', p_month;
  END IF;
  PERFORM set_config('qingyang.audit_release', 'on', true);
  DELETE FROM qingyang_access_log WHERE seq BETWEEN a.first_seq AND a.last_seq;
  GET DIAGNOSTICS n = ROW_COUNT;
  PERFORM set_config('qingyang.audit_release', 'off', true);
  IF n <> a.rows THEN
    RAISE EXCEPTION 'qingyang_access_log_release: month % has % rows online, its file %', p_month, n, a.rows;
  END IF;
  RETURN n;
END $$ LANGUAGE plpgsql;
"""


def upgrade():
    op.execute(UPGRADE)


def downgrade():
    op.execute("DROP FUNCTION IF EXISTS qingyang_access_log_release(text); "
               "DROP TABLE IF EXISTS qingyang_access_log_archive; "
               "DROP FUNCTION IF EXISTS qingyang_access_log_archive_check();")

#!/usr/bin/env bash
# Starts Debian's PostgreSQL 15 cluster (a system service, not supervised by us)
# and creates the platform's roles and databases. Safe to run twice.
source "$(dirname "$0")/lib.sh"
CLUSTER="15 main"
port="$(pg_conftool $CLUSTER show port 2>/dev/null | awk -F"= *" '{print $2}' | tr -d "'")"
if [[ "${port:-5432}" != "$PG_PORT" ]]; then
  log "moving PostgreSQL cluster $CLUSTER to port $PG_PORT (ports.env)"
  pg_conftool $CLUSTER set port "$PG_PORT"
  pg_ctlcluster $CLUSTER stop 2>/dev/null || true
fi
# Continuous archiving (issue 17 §1): WAL segments copied to WAL_ARCHIVE, one at least
# every 5 minutes (RPO). Restarted only when PostgreSQL reports a setting pending restart
# (archive_mode switched on); otherwise a reload, and nothing when nothing changed.
source "$ROOT/scripts/backup-lib.sh"
WAL_ARCHIVE="${WAL_ARCHIVE:-/var/lib/postgresql/15/wal-archive}"
install -d -o postgres -g postgres -m 700 "$WAL_ARCHIVE"
wal_changed=false
while IFS= read -r line; do
  key="${line%% = *}"; value="${line#* = }"; q="'"; value="${value#$q}"; value="${value%$q}"
  [[ "$(pg_conftool -s $CLUSTER show "$key" 2>/dev/null)" == "$value" ]] && continue
  pg_conftool $CLUSTER set "$key" "$value"; wal_changed=true
done < <(wal_archive_conf "$WAL_ARCHIVE")
if $wal_changed && pg_lsclusters -h | awk '$1==15 && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster $CLUSTER reload
  sleep 1
  if [[ -n "$(runuser -u postgres -- psql -p "$PG_PORT" -qAt -c "select name from pg_settings where pending_restart")" ]]; then
    log "restarting PostgreSQL $CLUSTER: WAL archiving switched on"
    pg_ctlcluster $CLUSTER restart
  fi
fi
if ! pg_lsclusters -h | awk '$1==15 && $2=="main" {print $4}' | grep -q online; then
  log "starting PostgreSQL $CLUSTER"
  pg_ctlcluster $CLUSTER start
fi
for i in $(seq 30); do pg_isready -q -h 127.0.0.1 -p "$PG_PORT" && break; sleep 1; done
pg_isready -q -h 127.0.0.1 -p "$PG_PORT" || die "PostgreSQL does not answer on 127.0.0.1:$PG_PORT"

psql_su() { runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qAt "$@"; }
ensure_role() {  # name password
  if [[ -z "$(psql_su -c "select 1 from pg_roles where rolname='$1'")" ]]; then
    psql_su -c "create role $1 login password '$2'"
  else
    psql_su -c "alter role $1 login password '$2'"
  fi
}
ensure_db() {  # name owner
  [[ -n "$(psql_su -c "select 1 from pg_database where datname='$1'")" ]] \
    || psql_su -c "create database $1 owner $2 encoding 'UTF8' template template0"
}
ensure_role ckan_default "$(secret pg_ckan_password)"
ensure_role datastore_ro "$(secret pg_datastore_ro_password)"
ensure_role airflow "$(secret pg_airflow_password)"
for db in ckan_default ckan_test datastore_default datastore_test; do ensure_db $db ckan_default; done
ensure_db airflow airflow
log "PostgreSQL ready on 127.0.0.1:$PG_PORT"

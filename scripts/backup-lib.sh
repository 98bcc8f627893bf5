# Helpers shared by backup.sh, restore.sh and the PITR test (sourced after lib.sh).
# backup_settings: the site and places backup.sh and restore.sh work on (QY_* override; "" skips one).
backup_settings() {
  INI="${QY_INI:-$VAR/ckan/ckan.ini}"
  AIRFLOW_ENV="${QY_AIRFLOW_ENV-$VAR/airflow/airflow.env}"
  ARCHIVE="${QY_ARCHIVE-$VAR/archive}"
  SECRETS="${QY_SECRETS-$VAR/secrets}"
  KEY="${QY_BACKUP_KEY_FILE-$VAR/secrets/backup_passphrase}"
}
# ini_get INI KEY: the value of "KEY = value" in a CKAN ini.
ini_get() { awk -F' *= *' -v k="$2" '$1==k {sub(/^[^=]*= */,""); print; exit}' "$1"; }
# env_get FILE KEY: a KEY='value' line of an env file, quotes removed.
env_get() { sed -n "s/^$2=//p" "$1" | head -1 | sed "s/^'//; s/'\$//"; }
# pg_url URL: a libpq URL (SQLAlchemy's +driver suffix removed).
pg_url() { sed 's#^postgresql+[a-z0-9]*://#postgresql://#' <<<"$1"; }
# ckan_cli ARGS: CKAN's command line on the site of $INI, with this checkout's extension.
ckan_cli() { PYTHONPATH="$ROOT/ckanext-qingyang${PYTHONPATH:+:$PYTHONPATH}" "$ROOT/.venv/ckan/bin/ckan" -c "$INI" "$@"; }
# db_counts URL: "type<TAB>state<TAB>count" per dataset type and state, sorted.
db_counts() {
  psql "$(pg_url "$1")" -qAt -F $'\t' -c \
    "select type, state, count(*) from package group by 1, 2 order by 1, 2"
}
# db_is_empty URL: true when the database holds no table in schema public.
db_is_empty() {
  [[ "$(psql "$(pg_url "$1")" -qAt -c "select count(*) from pg_tables where schemaname='public'")" == 0 ]]
}
# wal_archive_conf ARCHIVE_DIR: the postgresql.conf lines of continuous archiving.
# archive_timeout 300 s switches the WAL segment at least every 5 minutes (RPO <= 5 min);
# gzip because a switched 16 MB segment is mostly padding; .part then mv, so a half-written
# file is never taken for a whole one.
wal_archive_conf() {
  printf '%s\n' "wal_level = replica" "archive_mode = on" \
    "archive_command = 'test ! -f $1/%f.gz && gzip -c %p > $1/%f.gz.part && mv $1/%f.gz.part $1/%f.gz'" \
    "archive_timeout = 300"
}
# wal_recovery_conf ARCHIVE_DIR TARGET_TIME: the lines that replay archived WAL up to
# TARGET_TIME (point-in-time recovery); put them in a base backup's postgresql.conf with
# an empty recovery.signal beside it.
wal_recovery_conf() {
  printf '%s\n' "restore_command = 'gunzip -c $1/%f.gz > %p'" "recovery_target_time = '$2'" \
    "recovery_target_action = 'promote'"
}

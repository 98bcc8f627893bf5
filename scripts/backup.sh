#!/usr/bin/env bash
# make backup: one folder with the catalog, DataStore and Airflow databases (pg_dump -Fc),
# var/archive, CKAN's storage, the configuration, the secrets encrypted with the operator's
# key, and manifest.sha256 over every file. Solr is not backed up: restore rebuilds it.
# Usage: scripts/backup.sh [DEST]; env QY_BACKUP_KEY_FILE (passphrase file; default
# var/secrets/backup_passphrase, which the operator copies off the machine; "" refuses),
# QY_INI (default var/ckan/ckan.ini), QY_AIRFLOW_ENV, QY_ARCHIVE, QY_SECRETS (set "" to skip).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backup-lib.sh"
backup_settings
DEST="${1:-$VAR/backup/$(date -u +%Y%m%dT%H%M%SZ)}"
[[ -f "$INI" ]] || die "no CKAN config $INI (QY_INI)"
[[ -s "$KEY" ]] || die "QY_BACKUP_KEY_FILE must name the operator's passphrase file (config and secrets are encrypted with it)"
[[ -e "$DEST" ]] && die "$DEST exists; a backup never overwrites another"
T="$DEST.partial"; P="$T/private"   # private/ leaves the folder only encrypted
mkdir -p "$T/db" "$T/files" "$P/config" "$P/secrets"
start=$(date +%s)

catalog="$(ini_get "$INI" sqlalchemy.url)"; datastore="$(ini_get "$INI" ckan.datastore.write_url)"
# A sample of package_show answers, compared field by field after a restore: taken before
# the snapshot and again after the dump; only the items the same both times are compared
# (one written meanwhile is named in sample.json, not compared).
ckan_cli qingyang backup-sample "$T/sample-before.json" >/dev/null \
  || die "could not record the package_show sample"
# The counts restore verifies come from the very snapshot pg_dump writes (an exported
# snapshot held open by a psql coprocess), so writes during the backup cannot skew them.
log "backup: catalog database"
coproc SNAP { psql "$(pg_url "$catalog")" -qAt -F $'\t' -v ON_ERROR_STOP=1; }
echo "begin isolation level repeatable read; select pg_export_snapshot();" >&"${SNAP[1]}"
read -r snapshot <&"${SNAP[0]}"
pg_dump -Fc --snapshot="$snapshot" -f "$T/db/catalog.dump" "$(pg_url "$catalog")"
echo "select type, state, count(*) from package group by 1, 2 order by 1, 2; select 'END';" >&"${SNAP[1]}"
while read -r line <&"${SNAP[0]}" && [[ "$line" != END ]]; do echo "$line"; done > "$T/counts.tsv"
echo "commit;" >&"${SNAP[1]}"; exec {SNAP[1]}>&-; wait "$SNAP_PID" || true
ckan_cli qingyang backup-sample --stable-since "$T/sample-before.json" "$T/sample.json" >/dev/null \
  || die "could not record the package_show sample"
rm -f "$T/sample-before.json"
if [[ -n "$datastore" ]]; then log "backup: DataStore database"; pg_dump -Fc -f "$T/db/datastore.dump" "$(pg_url "$datastore")"; fi
if [[ -n "$AIRFLOW_ENV" && -f "$AIRFLOW_ENV" ]]; then
  log "backup: Airflow database"
  pg_dump -Fc -f "$T/db/airflow.dump" "$(pg_url "$(env_get "$AIRFLOW_ENV" AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)")"
  cp -p "$AIRFLOW_ENV" "$P/config/airflow.env"
fi
storage="$(ini_get "$INI" ckan.storage_path)"
[[ -n "$storage" && -d "$storage" ]] && cp -a "$storage" "$T/files/storage"
[[ -n "$ARCHIVE" && -d "$ARCHIVE" ]] && cp -a "$ARCHIVE" "$T/files/archive"
# The ini and airflow.env hold database passwords, so they are encrypted with the secrets.
cp -p "$INI" "$P/config/ckan.ini"
[[ -n "$SECRETS" && -d "$SECRETS" ]] && cp -aL "$SECRETS/." "$P/secrets/"
log "backup: configuration and secrets, encrypted (AES-256-CBC, PBKDF2) with $KEY"
tar -C "$P" -cf - . | openssl enc -aes-256-cbc -pbkdf2 -iter 200000 -salt \
  -pass "file:$KEY" -out "$T/private.tar.enc"
rm -rf "$P"
chmod -R go-rwx "$T"
(cd "$T" && find . -type f ! -name manifest.sha256 -printf '%P\n' | sort | xargs -r -d '\n' sha256sum > manifest.sha256)
mv "$T" "$DEST"
log "backup: $DEST, $(du -sh "$DEST" | cut -f1), $(( $(date +%s) - start ))s, $(wc -l < "$DEST/manifest.sha256") files"
echo "$DEST"

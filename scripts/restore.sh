#!/usr/bin/env bash
# make restore FROM=<folder>: checks the manifest, restores the databases, var/archive,
# CKAN's storage, config and secrets (decrypted), rebuilds the Solr index, then verifies
# and prints what it verified. Any mismatch exits non-zero naming what differs.
# Usage: scripts/restore.sh FROM [--force]; env QY_BACKUP_KEY_FILE (required);
# QY_INI: the TARGET site's ini (its databases and storage; default var/ckan/ckan.ini);
# QY_AIRFLOW_ENV, QY_ARCHIVE, QY_SECRETS: target places ("" skips); QY_CONFIG_OUT: where
# the backed-up config is written (default var/restored-config, never over a live ini);
# QY_NO_SOLR=1 skips the search rebuild. --force: restore over non-empty databases.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backup-lib.sh"
backup_settings
FROM="${1:-}"; FORCE=false; [[ "${2:-}" == --force ]] && FORCE=true
[[ -n "$FROM" && -f "$FROM/manifest.sha256" ]] || die "FROM=$FROM is not a backup folder (no manifest.sha256)"
CONFIG_OUT="${QY_CONFIG_OUT:-$VAR/restored-config}"
[[ -s "$KEY" ]] || die "QY_BACKUP_KEY_FILE must name the passphrase file the backup was made with"
[[ -f "$INI" ]] || die "no target CKAN config $INI (QY_INI)"
start=$(date +%s); checked=()

(cd "$FROM" && sha256sum -c --quiet manifest.sha256) || die "backup $FROM is damaged: the files above differ from manifest.sha256"
checked+=("manifest: $(wc -l < "$FROM/manifest.sha256") files match their SHA-256")

catalog="$(ini_get "$INI" sqlalchemy.url)"; datastore="$(ini_get "$INI" ckan.datastore.write_url)"
airflow=""; [[ -n "$AIRFLOW_ENV" && -f "$AIRFLOW_ENV" && -f "$FROM/db/airflow.dump" ]] \
  && airflow="$(env_get "$AIRFLOW_ENV" AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)"
pairs=("catalog=$catalog"); [[ -f "$FROM/db/datastore.dump" && -n "$datastore" ]] && pairs+=("datastore=$datastore")
[[ -n "$airflow" ]] && pairs+=("airflow=$airflow")
for p in "${pairs[@]}"; do
  name="${p%%=*}"; url="${p#*=}"
  if ! db_is_empty "$url" && ! $FORCE; then
    die "the target $name database $(pg_url "$url" | sed 's#//[^@]*@#//#') is not empty; restore refuses to overwrite it (add --force)"
  fi
done
for p in "${pairs[@]}"; do
  name="${p%%=*}"; url="${p#*=}"
  log "restore: $name database"
  opts=(--no-owner --no-acl --exit-on-error); $FORCE && opts+=(--clean --if-exists)
  pg_restore "${opts[@]}" -d "$(pg_url "$url")" "$FROM/db/$name.dump" \
    || die "pg_restore of the $name database failed"
  checked+=("database $name restored")
done

tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
openssl enc -d -aes-256-cbc -pbkdf2 -iter 200000 -pass "file:$KEY" -in "$FROM/private.tar.enc" \
  | tar -C "$tmp" -xf - || die "could not decrypt private.tar.enc: wrong passphrase file $KEY?"
mkdir -p "$CONFIG_OUT"; cp -a "$tmp/config/." "$CONFIG_OUT/"; chmod -R go-rwx "$CONFIG_OUT"
checked+=("configuration decrypted into $CONFIG_OUT")
if [[ -n "$SECRETS" ]]; then
  mkdir -p "$SECRETS"; cp -a "$tmp/secrets/." "$SECRETS/"; chmod -R go-rwx "$SECRETS"
  checked+=("secrets decrypted into $SECRETS ($(ls "$tmp/secrets" | wc -l) files)")
fi

# restore_tree NAME TARGET: copies files/NAME back and checks every file's hash there.
restore_tree() {
  local name="$1" target="$2" n
  [[ -d "$FROM/files/$name" && -n "$target" ]] || return 0
  mkdir -p "$target"; cp -a "$FROM/files/$name/." "$target/"
  n=$(grep -c "  files/$name/" "$FROM/manifest.sha256" || true)
  if (( n > 0 )); then   # an empty folder has no line to check (sha256sum refuses none)
    grep "  files/$name/" "$FROM/manifest.sha256" | sed "s#  files/$name/#  #" \
      | (cd "$target" && sha256sum -c --quiet -) || die "restored $name files differ from the manifest (above)"
  fi
  checked+=("$name: $n files restored into $target, each hash matches")
}
restore_tree archive "$ARCHIVE"
restore_tree storage "$(ini_get "$INI" ckan.storage_path)"

got="$(db_counts "$catalog")"
if [[ "$got" != "$(cat "$FROM/counts.tsv")" ]]; then
  diff <(cat "$FROM/counts.tsv") <(echo "$got") >&2 || true
  die "dataset counts per type and state differ from the backup (< backup, > restored)"
fi
checked+=("dataset counts per type and state equal the backup: $(awk -F'\t' '{s+=$3} END {print s+0}' "$FROM/counts.tsv") datasets in $(wc -l < "$FROM/counts.tsv") type/state groups")

search=--search
if [[ "${QY_NO_SOLR:-}" != 1 ]]; then
  log "restore: rebuilding the search index"
  ckan_cli search-index rebuild -q >/dev/null || die "the search index rebuild failed"
  checked+=("search index rebuilt")
else
  search=--no-search
fi
# package_show of the sample field by field, the audit chain, search for every item
out="$(ckan_cli qingyang restore-verify $search "$FROM/sample.json")" || die "the restored site differs from the backup (above)"
while IFS= read -r line; do [[ "$line" == "ok  "* ]] && checked+=("${line#ok  }"); done <<<"$out"
echo "restore of $FROM verified in $(( $(date +%s) - start ))s:"
printf '  ok  %s\n' "${checked[@]}"

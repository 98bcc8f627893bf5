#!/usr/bin/env bash
# Backup and restore times and sizes (issue 17 §1: RTO <= 30 min at 50,000 items).
#   bench/backup_restore.sh [INI]     default var/ckan/ckan.ini (the demo catalog);
#                                     var/ckan/bench.ini is the 50,000-item catalog
# It backs the site up with scripts/backup.sh, restores into empty scratch databases
# (catalog, DataStore, Airflow) with scripts/restore.sh, the Solr index rebuilt under a
# scratch site_id (so the live site's documents are never touched), and prints the figures
# as JSON (also var/bench/backup-restore-<site_id>.json). Everything scratch is removed after.
source "$(dirname "$0")/../scripts/lib.sh"
source "$ROOT/scripts/backup-lib.sh"
INI="$(realpath "${1:-$VAR/ckan/ckan.ini}")"
SITE_VAR="$(realpath "$(dirname "$INI")/..")"   # the var/ folder the ini belongs to
site="$(ini_get "$INI" ckan.site_id)"
AIRFLOW_ENV="${QY_AIRFLOW_ENV:-$SITE_VAR/airflow/airflow.env}"
work="$(mktemp -d /tmp/qy-backup-bench-XXXX)"
scratch=(qybench_restore_catalog qybench_restore_datastore qybench_restore_airflow)
solr="$(ini_get "$INI" solr_url)"
cleanup() {
  for db in "${scratch[@]}"; do runuser -u postgres -- psql -qAt -c "drop database if exists $db with (force)" >/dev/null; done
  curl -fsS "$solr/update?commit=true" -H 'Content-Type: text/xml' \
    --data-binary "<delete><query>site_id:\"$site-restore-bench\"</query></delete>" >/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
head -c 32 /dev/urandom | base64 > "$work/key"
load() { cut -d' ' -f1 /proc/loadavg; }

load_before=$(load); t0=$(date +%s.%N)
QY_BACKUP_KEY_FILE="$work/key" QY_INI="$INI" QY_AIRFLOW_ENV="$AIRFLOW_ENV" \
  QY_ARCHIVE="$SITE_VAR/archive" QY_SECRETS="$SITE_VAR/secrets" bash "$ROOT/scripts/backup.sh" "$work/backup" >/dev/null
t1=$(date +%s.%N)

# scratch databases, owned by the users the site's URLs name
catalog="$(ini_get "$INI" sqlalchemy.url)"; datastore="$(ini_get "$INI" ckan.datastore.write_url)"
airflow="$(env_get "$AIRFLOW_ENV" AIRFLOW__DATABASE__SQL_ALCHEMY_CONN)"
i=0
for url in "$catalog" "$datastore" "$airflow"; do
  owner="$(sed -E 's#^[a-z0-9+]+://([^:@]+).*#\1#' <<<"$url")"
  runuser -u postgres -- psql -qAt -c "set client_min_messages = warning" -c "drop database if exists ${scratch[$i]} with (force)" \
    -c "create database ${scratch[$i]} owner $owner encoding 'UTF8' template template0" >/dev/null
  i=$((i+1))
done
swap() { sed -E "s#/[^/]+\$#/$2#" <<<"$1"; }
sed -E -e "s#^(sqlalchemy\.url *= *).*#\1$(swap "$catalog" "${scratch[0]}")#" \
  -e "s#^(ckan\.datastore\.write_url *= *).*#\1$(swap "$datastore" "${scratch[1]}")#" \
  -e "s#^(ckan\.site_id *= *).*#\1$site-restore-bench#" \
  -e "s#^(ckan\.storage_path *= *).*#\1$work/storage#" "$INI" > "$work/scratch.ini"
sed "s#^AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=.*#AIRFLOW__DATABASE__SQL_ALCHEMY_CONN='$(swap "$airflow" "${scratch[2]}")'#" \
  "$AIRFLOW_ENV" > "$work/airflow.env"

t2=$(date +%s.%N)
QY_BACKUP_KEY_FILE="$work/key" QY_INI="$work/scratch.ini" QY_AIRFLOW_ENV="$work/airflow.env" \
  QY_ARCHIVE="$work/archive" QY_SECRETS="$work/secrets" QY_CONFIG_OUT="$work/config" \
  bash "$ROOT/scripts/restore.sh" "$work/backup" > "$work/restore.out"
t3=$(date +%s.%N)
sed 's/^/  /' "$work/restore.out" >&2

mkdir -p "$VAR/bench"
python3 - "$work" "$site" "$t0" "$t1" "$t2" "$t3" "$load_before" "$(load)" "$VAR/bench/backup-restore-$site.json" <<'EOF'
import json, os, subprocess, sys, datetime
work, site, t0, t1, t2, t3, lb, la, out = sys.argv[1:]
size = lambda p: sum(f.stat().st_size for f in __import__("pathlib").Path(p).rglob("*") if f.is_file())
counts = [line.split("\t") for line in open(f"{work}/backup/counts.tsv").read().split("\n") if line]
report = {
    "site_id": site, "at": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
    "machine": f"{os.cpu_count()} cores, " + subprocess.run(["uname", "-srm"], capture_output=True, text=True).stdout.strip(),
    "datasets": sum(int(c[2]) for c in counts),
    "backup_seconds": round(float(t1) - float(t0), 1), "restore_seconds": round(float(t3) - float(t2), 1),
    "backup_bytes": size(f"{work}/backup"),
    "dump_bytes": {p.name: p.stat().st_size for p in __import__("pathlib").Path(f"{work}/backup/db").iterdir()},
    "restore_verified": [l.strip()[4:] for l in open(f"{work}/restore.out") if l.strip().startswith("ok")],
    "loadavg_before": float(lb), "loadavg_after": float(la),
}
open(out, "w").write(json.dumps(report, ensure_ascii=False, indent=1))
print(json.dumps(report, ensure_ascii=False, indent=1))
EOF

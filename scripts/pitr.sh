#!/usr/bin/env bash
# Point-in-time recovery of the PostgreSQL cluster (issue 17 §1): base backups plus the
# WAL archive that setup-postgres.sh switches on. pg_dump backups (backup.sh) restore a
# night; these restore any moment since the oldest kept base, up to the last archived
# segment (at most archive_timeout = 5 minutes old).
#   scripts/pitr.sh base                  a base backup into $PITR_DIR/<UTC time>/, then keep the
#                                         newest $PITR_KEEP (2) and drop the WAL older than the oldest
#   scripts/pitr.sh recover DATADIR TIME  unpack the newest base older than TIME into the empty
#                                         DATADIR, set it to replay the archive up to TIME; start it
#                                         with pg_ctl (it promotes itself when it reaches TIME)
# env: PGHOST/PGPORT (default the platform's cluster), WAL_ARCHIVE, PITR_DIR, PITR_KEEP.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/backup-lib.sh"
WAL_ARCHIVE="${WAL_ARCHIVE:-/var/lib/postgresql/15/wal-archive}"
PITR_DIR="${PITR_DIR:-/var/lib/postgresql/15/pitr-base}"
PITR_KEEP="${PITR_KEEP:-2}"
as_pg() { runuser -u postgres -- env PGHOST="${PGHOST:-}" PGPORT="${PGPORT:-$PG_PORT}" "$@"; }

case "${1:-}" in
  base)
    install -d -o postgres -g postgres -m 700 "$PITR_DIR"
    dest="$PITR_DIR/$(date -u +%Y%m%dT%H%M%SZ)"
    start=$(date +%s)
    as_pg pg_basebackup -D "$dest" -Ft -z -X none -c fast || die "pg_basebackup failed"
    # the .backup file pg_basebackup archived names the first segment this base needs
    label="$(as_pg tar -xzOf "$dest/base.tar.gz" backup_label)"
    start_wal="$(sed -n 's/^START WAL LOCATION: .* (file \(.*\))$/\1/p' <<<"$label")"
    [[ -n "$start_wal" ]] || die "no START WAL LOCATION in $dest's backup_label"
    echo "$start_wal" | as_pg tee "$dest/start_wal" >/dev/null
    log "pitr: base $dest ($(du -sh "$dest" | cut -f1), $(( $(date +%s) - start ))s), from WAL $start_wal"
    mapfile -t bases < <(find "$PITR_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort -r)
    for old in "${bases[@]:$PITR_KEEP}"; do rm -rf "$old"; log "pitr: removed base $old"; done
    oldest="${bases[$(( ${#bases[@]} < PITR_KEEP ? ${#bases[@]} - 1 : PITR_KEEP - 1 ))]}"
    as_pg pg_archivecleanup -x .gz "$WAL_ARCHIVE" "$(cat "$oldest/start_wal")"
    log "pitr: WAL before $(cat "$oldest/start_wal") (the oldest kept base, $oldest) removed from $WAL_ARCHIVE"
    echo "$dest"
    ;;
  recover)
    data="${2:-}"; target="${3:-}"
    [[ -n "$data" && -n "$target" ]] || die "usage: scripts/pitr.sh recover DATADIR 'YYYY-MM-DD HH:MM:SS+00'"
    [[ ! -e "$data" || -z "$(ls -A "$data")" ]] || die "$data is not empty; recovery unpacks into an empty folder"
    want=$(date -u -d "$target" +%Y%m%dT%H%M%SZ) || die "cannot read the target time '$target'"
    base=""
    for b in $(find "$PITR_DIR" -mindepth 1 -maxdepth 1 -type d -name '20*Z' | sort); do
      [[ "$(basename "$b")" < "$want" ]] && base="$b"
    done
    [[ -n "$base" ]] || die "no base backup in $PITR_DIR is older than $target"
    install -d -o postgres -g postgres -m 700 "$data"
    as_pg tar -xzf "$base/base.tar.gz" -C "$data"
    wal_recovery_conf "$WAL_ARCHIVE" "$target" | as_pg tee -a "$data/postgresql.auto.conf" >/dev/null
    as_pg touch "$data/recovery.signal"
    log "pitr: $data holds base $base, set to replay $WAL_ARCHIVE up to $target"
    echo "$base"
    ;;
  *) die "usage: scripts/pitr.sh base | recover DATADIR TIME" ;;
esac

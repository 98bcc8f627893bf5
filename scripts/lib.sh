# Shared shell helpers, sourced by every script in scripts/.
# Resolves the repo root from this file, so any clone folder works.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VAR="$ROOT/var"
# ports.env holds defaults; variables already in the environment win.
while IFS='=' read -r key value; do
  [[ -z "$key" || "$key" == \#* ]] && continue
  if [[ -z "${!key:-}" ]]; then export "$key=$value"; fi
done < "$ROOT/ports.env"
mkdir -p "$VAR/log" "$VAR/run" "$VAR/secrets"
chmod 700 "$VAR/secrets"

log() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# secret NAME: print var/secrets/NAME, creating it (random, mode 600) on first use.
secret() {
  local f="$VAR/secrets/$1"
  if [[ ! -s "$f" ]]; then
    (umask 077; python3 -c 'import secrets; print(secrets.token_urlsafe(24))' > "$f")
  fi
  cat "$f"
}

# stamp_ok STAMPFILE INPUT...: true when the inputs' hash equals the stamp.
inputs_hash() { cat "$@" | sha256sum | cut -d' ' -f1; }
stamp_ok() { local s="$1"; shift; [[ -f "$s" && "$(cat "$s")" == "$(inputs_hash "$@")" ]]; }
stamp_write() { local s="$1"; shift; inputs_hash "$@" > "$s"; }

# wait_http URL SECONDS [NAME]: poll until URL answers 2xx.
wait_http() {
  local url="$1" t="${2:-60}" name="${3:-$1}" i=0
  until curl -fsS -o /dev/null --max-time 5 "$url" 2>/dev/null; do
    i=$((i+1)); [[ $i -ge $t ]] && die "$name did not answer at $url within ${t}s"
    sleep 1
  done
}

python_bin() {
  # CKAN 2.12 needs Python >= 3.10; prefer the machine's python3.
  local p
  for p in python3.11 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys, venv; sys.exit(sys.version_info < (3,10))' 2>/dev/null; then
      command -v "$p"; return; fi
  done
  die "no Python >= 3.10 with venv found"
}

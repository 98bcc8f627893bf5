#!/usr/bin/env bash
# Prepare Airflow: venv .venv/airflow, AIRFLOW_HOME=var/airflow, config as env
# vars in var/airflow/airflow.env, secrets in var/secrets/, `airflow db migrate`.
# Idempotent: safe to run again at any time.
#
#   scripts/setup-airflow.sh              # venv + config + db migrate
#   scripts/setup-airflow.sh --venv-only  # only (re)build the venv if needed
#
# Needs: python3 >= 3.11 (AIRFLOW_PYTHON overrides), and for the full setup a
# running PostgreSQL with role + database `airflow` whose password is in
# var/secrets/pg_airflow_password (written by the PostgreSQL setup).
# Ports and bind address come from ports.env; environment variables override.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv/airflow"
REQ="$ROOT/requirements/airflow.txt"
CONSTRAINTS="$ROOT/requirements/airflow-constraints.txt"
STAMP="$VENV/.qingyang-requirements.sha256"
PYTHON="${AIRFLOW_PYTHON:-python3}"

AIRFLOW_HOME_DIR="$ROOT/var/airflow"
ENV_FILE="$AIRFLOW_HOME_DIR/airflow.env"
SECRETS="$ROOT/var/secrets"
LOG_DIR="$ROOT/var/log/airflow"

VENV_ONLY=0
case "${1:-}" in
  "") ;;
  --venv-only) VENV_ONLY=1 ;;
  -h|--help) sed -n '2,12p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--venv-only]" >&2; exit 2 ;;
esac

say() { printf '[setup-airflow] %s\n' "$*"; }
die() { printf '[setup-airflow] ERROR: %s\n' "$*" >&2; exit 1; }

T0=$(date +%s)

# ---- ports.env (environment variables win) ---------------------------------
_overrides="$(declare -p BIND_HOST CKAN_PORT AIRFLOW_PORT PG_PORT 2>/dev/null || true)"
if [[ -f "$ROOT/ports.env" ]]; then
  set -a; . "$ROOT/ports.env"; set +a
fi
eval "$_overrides"
BIND_HOST="${BIND_HOST:-127.0.0.1}"
CKAN_PORT="${CKAN_PORT:-5000}"
AIRFLOW_PORT="${AIRFLOW_PORT:-8080}"
PG_PORT="${PG_PORT:-5432}"
# Address clients use to reach a server bound to BIND_HOST.
case "$BIND_HOST" in 0.0.0.0|"::"|"[::]") CLIENT_HOST=127.0.0.1 ;; *) CLIENT_HOST="$BIND_HOST" ;; esac

mkdir -p "$ROOT/var" "$ROOT/.venv" "$AIRFLOW_HOME_DIR" "$LOG_DIR"

# One setup at a time (two parallel pip installs into one venv break it).
exec 9>"$ROOT/var/airflow/.setup.lock"
flock 9

# ---- virtualenv --------------------------------------------------------------
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' \
  || die "$PYTHON is $("$PYTHON" -V 2>&1); need Python >= 3.11 (set AIRFLOW_PYTHON)"
PYVER="$("$PYTHON" -c 'import sys; print("%d.%d.%d" % sys.version_info[:3])')"
[[ "$PYVER" == 3.11.* ]] || say "warning: constraints were frozen on Python 3.11, using $PYVER"

want_hash="$( { cat "$REQ" "$CONSTRAINTS"; echo "python=$PYVER"; } | sha256sum | cut -d' ' -f1)"
have_hash="$(cat "$STAMP" 2>/dev/null || true)"
if [[ "$want_hash" == "$have_hash" ]] && "$VENV/bin/python" -c 'import airflow' >/dev/null 2>&1; then
  say "venv up to date: $VENV"
else
  if [[ -d "$VENV" ]]; then
    say "requirements, constraints or Python changed (or venv incomplete): rebuilding $VENV"
    rm -rf "$VENV"
  fi
  say "creating $VENV with $PYTHON ($PYVER)"
  TI=$(date +%s)
  "$PYTHON" -m venv "$VENV"
  export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
  "$VENV/bin/python" -m pip install -q -c "$CONSTRAINTS" pip
  "$VENV/bin/python" -m pip install -q -r "$REQ" -c "$CONSTRAINTS"
  "$VENV/bin/python" -m pip check
  echo "$want_hash" > "$STAMP"
  say "venv installed in $(( $(date +%s) - TI ))s ($(du -sh "$VENV" | cut -f1))"
fi
# The DAGs import the pure core (ckanext.qingyang.core) and nothing else of the
# extension: install it alone (setup.py with QINGYANG_DIST=core), built from a copy so
# no build files land in the repository. An installed copy goes stale when the core
# changes, so its stamp is a hash of the core's files and it is reinstalled on change.
CORE_SRC="ckanext-qingyang/ckanext/qingyang/core"
CORE_STAMP="$VENV/.qingyang-core.sha256"
core_hash="$(cd "$ROOT" && {
  find "$CORE_SRC" \( -name tests -o -name __pycache__ \) -prune -o -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
  sha256sum setup.py pyproject.toml catalogs/topics.yaml   # core/topics.yaml links to it
} | sha256sum | cut -d' ' -f1)"
if [[ "$core_hash" != "$(cat "$CORE_STAMP" 2>/dev/null || true)" ]] \
   || ! "$VENV/bin/python" -c 'import ckanext.qingyang.core.listdef' >/dev/null 2>&1; then
  # venvs made before the core had its own distribution hold the whole extension
  if "$VENV/bin/python" -m pip show -q ckanext-qingyang >/dev/null 2>&1; then
    "$VENV/bin/python" -m pip uninstall -q -y ckanext-qingyang
  fi
  core_copy="$(mktemp -d)"
  (cd "$ROOT" && tar -cf - --exclude=tests --exclude=__pycache__ setup.py pyproject.toml catalogs/topics.yaml "$CORE_SRC") | tar -xf - -C "$core_copy"
  # --no-deps: its install_requires are in requirements/airflow.txt, pinned above; pip check proves it
  QINGYANG_DIST=core "$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$core_copy"
  rm -rf "$core_copy"
  "$VENV/bin/python" -m pip check
  echo "$core_hash" > "$CORE_STAMP"
  say "installed ckanext-qingyang-core (the pure core) into $VENV"
fi

if (( VENV_ONLY )); then
  say "done (--venv-only) in $(( $(date +%s) - T0 ))s"
  exit 0
fi

# ---- secrets (generated once, kept in var/secrets/, mode 600) ---------------
mkdir -p "$SECRETS"; chmod 700 "$SECRETS"
gen_secret() {  # gen_secret FILE PYTHON-EXPR
  local f="$SECRETS/$1"
  if [[ ! -s "$f" ]]; then
    ( umask 077; "$VENV/bin/python" -c "import base64, os, secrets; print($2)" > "$f.tmp" && mv "$f.tmp" "$f" )
    say "generated var/secrets/$1"
  fi
  chmod 600 "$f"
}
gen_secret airflow_fernet_key     'base64.urlsafe_b64encode(os.urandom(32)).decode()'
gen_secret airflow_api_secret_key 'secrets.token_urlsafe(48)'
gen_secret airflow_jwt_secret     'secrets.token_urlsafe(48)'
# the passphrase of the nightly backups (qingyang_backup): keep a copy off this machine
gen_secret backup_passphrase      'secrets.token_urlsafe(48)'
# Same alphabet as SimpleAuthManager's own generator; `make up` prints this file.
gen_secret airflow_admin_password \
  '"".join(secrets.choice("abcdefghkmnpqrstuvwxyzABCDEFGHKMNPQRSTUVWXYZ23456789") for _ in range(16))'

# SimpleAuthManager reads {"user": "password"} from this file. It is derived
# from airflow_admin_password on every run, so that file stays the one truth.
( umask 077
  "$VENV/bin/python" - "$SECRETS/airflow_admin_password" "$SECRETS/airflow_simple_auth_passwords.json" <<'PY'
import json, os, sys
pw = open(sys.argv[1]).read().strip()
tmp = sys.argv[2] + ".tmp"
with open(tmp, "w") as f:
    f.write(json.dumps({"admin": pw}) + "\n")
os.replace(tmp, sys.argv[2])
PY
)

PG_PW_FILE="$SECRETS/pg_airflow_password"
[[ -s "$PG_PW_FILE" ]] || die "missing $PG_PW_FILE: create PostgreSQL role+database 'airflow' first (the PostgreSQL setup writes this file)"

# ---- var/airflow/airflow.env -------------------------------------------------
SQL_CONN="$("$VENV/bin/python" - "$PG_PW_FILE" "$PG_PORT" <<'PY'
import sys, urllib.parse
pw = urllib.parse.quote(open(sys.argv[1]).read().strip(), safe="")
print(f"postgresql+psycopg2://airflow:{pw}@127.0.0.1:{sys.argv[2]}/airflow")
PY
)"

q() { local s=${1//\'/\'\\\'\'}; printf "'%s'" "$s"; }   # single-quote for sh
emit() { printf '%s=%s\n' "$1" "$(q "$2")"; }

tmp_env="$(mktemp "$AIRFLOW_HOME_DIR/.airflow.env.XXXXXX")"
chmod 600 "$tmp_env"
{
  echo "# Generated by scripts/setup-airflow.sh; do not edit (re-run the script)."
  echo "# Contains secrets: mode 600, never commit. Load with: set -a; . $ENV_FILE; set +a"
  emit AIRFLOW_HOME "$AIRFLOW_HOME_DIR"
  emit AIRFLOW__CORE__DAGS_FOLDER "$ROOT/dags"
  emit AIRFLOW__CORE__LOAD_EXAMPLES False
  emit AIRFLOW__CORE__EXECUTOR LocalExecutor
  emit AIRFLOW__CORE__PARALLELISM 4
  # the platform's DAGs run on their schedules from the start (collection, timeliness)
  emit AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION False
  emit AIRFLOW__CORE__FERNET_KEY "$(cat "$SECRETS/airflow_fernet_key")"
  emit AIRFLOW__CORE__AUTH_MANAGER airflow.api_fastapi.auth.managers.simple.simple_auth_manager.SimpleAuthManager
  emit AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS admin:admin
  emit AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE "$SECRETS/airflow_simple_auth_passwords.json"
  emit AIRFLOW__CORE__EXECUTION_API_SERVER_URL "http://$CLIENT_HOST:$AIRFLOW_PORT/execution/"
  emit AIRFLOW__DATABASE__SQL_ALCHEMY_CONN "$SQL_CONN"
  emit AIRFLOW__API__HOST "$BIND_HOST"
  emit AIRFLOW__API__PORT "$AIRFLOW_PORT"
  emit AIRFLOW__API__SECRET_KEY "$(cat "$SECRETS/airflow_api_secret_key")"
  emit AIRFLOW__API_AUTH__JWT_SECRET "$(cat "$SECRETS/airflow_jwt_secret")"
  emit AIRFLOW__LOGGING__BASE_LOG_FOLDER "$LOG_DIR"
  emit AIRFLOW__LOGGING__DAG_PROCESSOR_CHILD_PROCESS_LOG_DIRECTORY "$LOG_DIR/dag_processor"
  emit AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_STORAGE_PATH "$AIRFLOW_HOME_DIR/dag_bundles"
  # the pipeline's CKAN API token (scripts/setup-ckan.sh) rides in the connection's password
  token=""
  [[ -s "$SECRETS/ckan_pipeline_token" ]] && token="$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(open(sys.argv[1]).read().strip(), safe=""))' "$SECRETS/ckan_pipeline_token")"
  emit AIRFLOW_CONN_QINGYANG_CKAN "http://${token:+pipeline:$token@}$CLIENT_HOST:$CKAN_PORT"
  emit QINGYANG_VAR_DIR "$ROOT/var"
} > "$tmp_env"
mv "$tmp_env" "$ENV_FILE"
say "wrote var/airflow/airflow.env"

# ---- metadata database ---------------------------------------------------------
set -a; . "$ENV_FILE"; set +a
export PATH="$VENV/bin:$PATH"

"$VENV/bin/python" - <<'PY' || die "cannot connect to PostgreSQL database 'airflow' as role 'airflow' (is PostgreSQL running on 127.0.0.1:$PG_PORT and the password in var/secrets/pg_airflow_password current?)"
import os, sys, psycopg2
from sqlalchemy.engine import make_url
u = make_url(os.environ["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
try:
    psycopg2.connect(host=u.host, port=u.port, user=u.username, password=u.password,
                     dbname=u.database, connect_timeout=5).close()
except Exception as e:
    print(f"[setup-airflow] {type(e).__name__}: {str(e).strip()}", file=sys.stderr)
    sys.exit(1)
PY

TM=$(date +%s)
airflow db migrate > "$LOG_DIR/db-migrate.log" 2>&1 \
  || { tail -n 30 "$LOG_DIR/db-migrate.log" >&2; die "airflow db migrate failed (full log: var/log/airflow/db-migrate.log)"; }
say "airflow db migrate ok in $(( $(date +%s) - TM ))s"

say "done in $(( $(date +%s) - T0 ))s. UI: http://$CLIENT_HOST:$AIRFLOW_PORT  user admin, password in var/secrets/airflow_admin_password"

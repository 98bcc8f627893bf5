#!/usr/bin/env bash
# CKAN's virtualenv, the extension (editable), the platform and test configs,
# database migrations and datastore permissions. Safe to run twice.
source "$(dirname "$0")/lib.sh"
VENV="$ROOT/.venv/ckan"
REQ=("$ROOT/requirements/ckan.txt" "$ROOT/requirements/ckan-constraints.txt")
start=$(date +%s)
if ! stamp_ok "$VENV/.stamp" "${REQ[@]}"; then
  log "installing CKAN 2.12 into .venv/ckan (takes ~1.5 min cold)"
  [[ -x "$VENV/bin/python" ]] || "$(python_bin)" -m venv "$VENV"
  "$VENV/bin/pip" install -q --upgrade pip==25.2 >/dev/null
  "$VENV/bin/pip" install -q -r "$ROOT/requirements/ckan.txt" -c "$ROOT/requirements/ckan-constraints.txt"
  stamp_write "$VENV/.stamp" "${REQ[@]}"
fi
if ! "$VENV/bin/python" -c 'import ckanext.qingyang.plugin' 2>/dev/null; then
  # compat mode: a plain .pth path entry, so the ckanext namespace merges cleanly.
  "$VENV/bin/pip" install -q --no-deps -e "$ROOT" --config-settings editable_mode=compat
fi

# Front-end libraries (portal/assets/package.json) bundled into the webassets: pages
# never load scripts from a CDN, and the platform may run without internet.
ASSETS="$ROOT/ckanext-qingyang/ckanext/qingyang/portal/assets"
if ! stamp_ok "$ASSETS/vendor/.stamp" "$ASSETS/package-lock.json"; then
  log "bundling the portal's front-end libraries (npm ci)"
  (cd "$ASSETS" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error >/dev/null) \
    || die "npm ci failed in $ASSETS"
  mkdir -p "$ASSETS/vendor"
  cp "$ASSETS/node_modules/echarts/dist/echarts.min.js" "$ASSETS/vendor/"
  stamp_write "$ASSETS/vendor/.stamp" "$ASSETS/package-lock.json"
fi

export PG_CKAN_PASSWORD="$(secret pg_ckan_password)"
export PG_DATASTORE_RO_PASSWORD="$(secret pg_datastore_ro_password)"
export CKAN_DB=ckan_default DATASTORE_DB=datastore_default REDIS_DB=0
export CKAN_STORAGE="$VAR/ckan/storage" VAR
mkdir -p "$VAR/ckan/storage" "$VAR/ckan/test-storage"
CKAN="$VENV/bin/ckan"
SETUP_LOG="$VAR/log/setup-ckan.log"; : > "$SETUP_LOG"

# make_ini TARGET OVERRIDE...: base from `ckan generate config` (its SECRET_KEY is
# generated once and kept), then our templates merged on top.
make_ini() {
  local ini="$1"; shift
  if [[ ! -s "$ini" ]]; then
    (umask 077; "$CKAN" generate config "$ini" >/dev/null)
  fi
  local t
  for t in "$@"; do
    python3 "$ROOT/scripts/render.py" "$t" > "$ini.part"
    "$CKAN" config-tool "$ini" -f "$ini.part" >/dev/null
    rm -f "$ini.part"
  done
}
make_ini "$VAR/ckan/ckan.ini" "$ROOT/config/ckan.ini.template"
make_ini "$VAR/ckan/test.ini" "$ROOT/config/ckan.ini.template" "$ROOT/config/test.ini.template"

for ini in "$VAR/ckan/ckan.ini" "$VAR/ckan/test.ini"; do
  { "$CKAN" -c "$ini" db upgrade || "$CKAN" -c "$ini" db init
    "$CKAN" -c "$ini" db pending-migrations --apply
  } >>"$SETUP_LOG" 2>&1 || { tail -20 "$SETUP_LOG"; die "CKAN database setup failed (var/log/setup-ckan.log)"; }
  "$CKAN" -c "$ini" datastore set-permissions 2>>"$SETUP_LOG" \
    | runuser -u postgres -- psql -p "$PG_PORT" -q -v ON_ERROR_STOP=1 >>"$SETUP_LOG" 2>&1 \
    || die "datastore permissions failed (var/log/setup-ckan.log)"
done
# The collection DAGs' only credential: an API token of the pipeline user.
"$CKAN" -c "$VAR/ckan/ckan.ini" qingyang pipeline-token --file "$VAR/secrets/ckan_pipeline_token" 2>>"$SETUP_LOG" >/dev/null \
  || die "could not issue the pipeline's CKAN token (var/log/setup-ckan.log)"
log "CKAN ready ($(( $(date +%s) - start ))s): config var/ckan/ckan.ini, tests var/ckan/test.ini"

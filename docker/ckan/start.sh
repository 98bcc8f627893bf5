#!/bin/bash
# CMD of the ckan image (in the manner of ckan-docker-base's start_ckan.sh): merges
# config/ckan.ini.template, rendered from the environment, into $CKAN_INI, migrates the
# databases, then serves CKAN with gunicorn. CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, ... from
# the environment win over the ini (CKAN's own rule).
set -euo pipefail
cd /srv/app
python3 src/scripts/render.py src/config/ckan.ini.template > /tmp/platform.ini
ckan config-tool "$CKAN_INI" -f /tmp/platform.ini >/dev/null && rm -f /tmp/platform.ini
# the installed package cannot find the repository's folders: name them (the pipeline-var
# volume is the airflow services' QINGYANG_VAR_DIR too)
ckan config-tool "$CKAN_INI" "ckanext.qingyang.catalogs_dir = /srv/app/src/catalogs" \
  "ckanext.qingyang.inbox_dir = /srv/app/var/inbox" "ckanext.qingyang.quality_dir = /srv/app/var/quality" >/dev/null
# behind the stack's one nginx: the client address for the lockout and the audit rows; TLS is nginx's
ckan config-tool "$CKAN_INI" "ckanext.qingyang.security.proxy_hops = 1" "ckanext.qingyang.security.hsts = true" >/dev/null
# the image's ini has no key of its own: every site brings its own (env/ckan.env)
[ -n "${CKAN_SECRET_KEY:-}" ] || { echo "start_ckan: CKAN_SECRET_KEY is not set (env/ckan.env)" >&2; exit 1; }
ckan config-tool "$CKAN_INI" "SECRET_KEY = $CKAN_SECRET_KEY" >/dev/null
# --print-ini: the merged ini for make backup / make restore on the host (docker/README.md)
if [ "${1:-}" = --print-ini ]; then cat "$CKAN_INI"; exit 0; fi
mkdir -p /srv/app/var/inbox /srv/app/var/quality /srv/app/var/archive
ckan -c "$CKAN_INI" db upgrade || ckan -c "$CKAN_INI" db init
ckan -c "$CKAN_INI" db pending-migrations --apply
exec gunicorn --chdir /srv/app/src/scripts ckan_wsgi:application \
  --workers "${GUNICORN_WORKERS:-2}" --bind "0.0.0.0:${CKAN_PORT}" --timeout 120

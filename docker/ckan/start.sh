#!/bin/bash
# CMD of the ckan image (in the manner of ckan-docker-base's start_ckan.sh): merges
# config/ckan.ini.template, rendered from the environment, into $CKAN_INI, migrates the
# databases, then serves CKAN with gunicorn. CKAN_SQLALCHEMY_URL, CKAN_SOLR_URL, ... from
# the environment win over the ini (CKAN's own rule).
set -euo pipefail
cd /srv/app
python3 src/scripts/render.py src/config/ckan.ini.template > /tmp/platform.ini
ckan config-tool "$CKAN_INI" -f /tmp/platform.ini >/dev/null && rm -f /tmp/platform.ini
ckan -c "$CKAN_INI" db upgrade || ckan -c "$CKAN_INI" db init
ckan -c "$CKAN_INI" db pending-migrations --apply
exec gunicorn --chdir /srv/app/src/scripts ckan_wsgi:application \
  --workers "${GUNICORN_WORKERS:-2}" --bind "0.0.0.0:${CKAN_PORT}" --timeout 120

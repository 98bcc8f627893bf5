#!/usr/bin/env bash
# CKAN under gunicorn, in the foreground (supervisord runs it).
# Usage: run-ckan.sh [INI] [PORT]
source "$(dirname "$0")/lib.sh"
export CKAN_INI="${1:-$VAR/ckan/ckan.ini}"
PORT="${2:-$CKAN_PORT}"
cd "$ROOT/scripts"
exec "$ROOT/.venv/ckan/bin/gunicorn" ckan_wsgi:application \
  --workers 2 --bind "$BIND_HOST:$PORT" --timeout 120 --graceful-timeout 10 \
  --access-logfile "$VAR/log/ckan-access.log" --error-logfile - --log-level warning

#!/usr/bin/env bash
# Redis for CKAN's cache and jobs, in the foreground; no persistence needed.
source "$(dirname "$0")/lib.sh"
exec redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no \
  --daemonize no --dir "$VAR/run" --logfile ""

#!/usr/bin/env bash
# `make collect`: one run of the qingyang_collect DAG, now, in the foreground.
# Exits non-zero when the run failed; prints one line per file.
source "$(dirname "$0")/lib.sh"
wait_http "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" 5 "CKAN (run make up first)"
set -a; . "$VAR/airflow/airflow.env"; set +a
export PATH="$ROOT/.venv/airflow/bin:$PATH"
mkdir -p "$VAR/inbox"
marker="$VAR/run/collect.started"; : > "$marker"
logfile="$VAR/log/collect-$(date +%Y%m%dT%H%M%S).log"
rc=0
airflow dags test qingyang_collect >"$logfile" 2>&1 || rc=$?
summary="$(find "$VAR/reports" -name summary.txt -newer "$marker" 2>/dev/null | head -1)"
if [[ -n "$summary" ]]; then
  sed "s/^/  /" "$summary"; echo
fi
if [[ $rc -ne 0 || -z "$summary" ]]; then
  grep -E "ERROR|Traceback|Error:" "$logfile" | tail -15 >&2
  die "qingyang_collect failed (log: ${logfile#$ROOT/})"
fi
log "collect done (log: ${logfile#$ROOT/}; reports: var/reports/)"

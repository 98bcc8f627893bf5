#!/usr/bin/env bash
# Starts, stops and shows the platform's processes through one supervisord.
#   services.sh start PROGRAM...   (waits until each answers)
#   services.sh stop               (stops everything, then supervisord itself)
#   services.sh restart [PROGRAM...]  (the programs named, or everything that runs)
#   services.sh status
source "$(dirname "$0")/lib.sh"
TOOLS="$ROOT/.venv/tools"
if ! stamp_ok "$TOOLS/.stamp" "$ROOT/requirements/tools.txt"; then
  [[ -x "$TOOLS/bin/python" ]] || "$(python_bin)" -m venv "$TOOLS"
  "$TOOLS/bin/pip" install -q -r "$ROOT/requirements/tools.txt"
  stamp_write "$TOOLS/.stamp" "$ROOT/requirements/tools.txt"
fi
CONF="$VAR/run/supervisord.conf"
ctl() { "$TOOLS/bin/supervisorctl" -c "$CONF" "$@"; }
running() { [[ -S "$VAR/run/supervisor.sock" ]] && ctl pid >/dev/null 2>&1; }

# probe PROGRAM: the check that says the program really answers.
probe() {
  case "$1" in
    redis) wait_redis ;;
    solr) wait_http "http://127.0.0.1:$SOLR_PORT/solr/ckan/select?q=*:*&rows=0" 120 Solr ;;
    ckan) wait_http "http://127.0.0.1:$CKAN_PORT/api/3/action/status_show" 90 CKAN ;;
    ckan-test) wait_http "http://127.0.0.1:$TEST_CKAN_PORT/api/3/action/status_show" 90 "CKAN (tests)" ;;
    airflow-api-server) wait_http "http://127.0.0.1:$AIRFLOW_PORT/api/v2/monitor/health" 180 Airflow ;;
    *) sleep 0 ;;
  esac
}
# code_changed_since PROGRAM MARKER: a CKAN or Airflow program whose code changed after it
# started, or whose settings (the rendered inis' content, kept in the marker) differ, or whose
# start was not recorded.
settings_sum() { cat "$VAR"/ckan/*.ini "$VAR"/airflow/airflow.env 2>/dev/null | sha256sum | cut -c1-64; }
code_changed_since() {
  [[ "$1" == ckan* || "$1" == airflow* ]] || return 1
  [[ -f "$2" && "$(cat "$2")" == "$(settings_sum)" ]] || return 0
  [[ -n "$(find "$ROOT/ckanext-qingyang" "$ROOT/dags" "$ROOT/catalogs" -newer "$2" -type f \
             \( -name '*.py' -o -name '*.html' -o -name '*.yaml' -o -name '*.yml' -o -name '*.json' \
             -o -name '*.css' -o -name '*.js' \) -not -path '*/node_modules/*' -print -quit 2>/dev/null)" ]]
}
wait_redis() {
  local i
  for i in $(seq 30); do
    [[ "$(redis-cli -p "$REDIS_PORT" ping 2>/dev/null)" == PONG ]] && return; sleep 1
  done
  die "Redis does not answer on port $REDIS_PORT"
}

case "${1:-status}" in
  start)
    shift
    export ROOT VAR
    python3 "$ROOT/scripts/render.py" "$ROOT/config/supervisord.conf.template" > "$CONF.new"
    if running; then
      if ! cmp -s "$CONF.new" "$CONF"; then mv "$CONF.new" "$CONF"; ctl reread >/dev/null; ctl update >/dev/null; fi
    else
      mv "$CONF.new" "$CONF"
      "$TOOLS/bin/supervisord" -c "$CONF"
      for i in $(seq 20); do running && break; sleep 0.5; done
    fi
    rm -f "$CONF.new"
    for prog in "$@"; do
      state="$(ctl status "$prog" 2>/dev/null | awk '{print $2}' || true)"
      started="$VAR/run/$prog.started"
      if [[ "$state" == RUNNING ]] && code_changed_since "$prog" "$started"; then
        # a running CKAN or Airflow keeps the code it started with: after a pull, restart it
        log "code changed since $prog started: restarting it"
        ctl restart "$prog" >/dev/null || { tail -20 "$VAR/log/$prog"*.log; die "$prog failed to restart (var/log/)"; }
        settings_sum > "$started"
      elif [[ "$state" != RUNNING ]]; then
        log "starting $prog"
        ctl start "$prog" >/dev/null || { tail -20 "$VAR/log/$prog"*.log; die "$prog failed to start (var/log/)"; }
        settings_sum > "$started"
      fi
      probe "$prog"
    done ;;
  stop)
    if running; then
      ctl stop all >/dev/null || true
      ctl shutdown >/dev/null || true
      for i in $(seq 60); do [[ -e "$VAR/run/supervisord.pid" ]] && kill -0 "$(cat "$VAR/run/supervisord.pid")" 2>/dev/null || break; sleep 0.5; done
    fi
    log "all platform processes stopped" ;;
  restart)
    running || die "nothing runs: use make up"
    shift
    if (($#)); then ctl restart "$@"; exit; fi   # only the programs named
    # only what runs now (restart all would also start the test-only programs)
    progs="$( (ctl status || true) | awk '$2=="RUNNING" {print $1}')"  # status exits 3 when any program is stopped
    [[ -n "$progs" ]] && ctl restart $progs ;;
  stop-one)
    shift; running && ctl stop "$@" >/dev/null || true ;;
  status)
    if running; then ctl status || true; else echo "supervisord is not running"; fi
    pg_lsclusters -h | awk '{printf "postgresql %s/%s   %s (system service, port %s)\n", $1, $2, $4, $3}' ;;
  *) die "usage: services.sh start PROGRAM... | stop | status" ;;
esac

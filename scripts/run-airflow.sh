#!/usr/bin/env bash
# Run one Airflow component in the FOREGROUND (for supervisord), e.g.
#   scripts/run-airflow.sh api-server | scheduler | dag-processor
# Needs scripts/setup-airflow.sh to have run (venv + var/airflow/airflow.env).
#
# supervisord: use stopasgroup=true and killasgroup=true. The scheduler and the
# dag-processor fork children (LocalExecutor workers, parsing processes); only a
# signal to the whole process group reliably stops them all.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv/airflow"
ENV_FILE="$ROOT/var/airflow/airflow.env"

usage() { echo "usage: $0 api-server|scheduler|dag-processor|triggerer [extra airflow args]" >&2; exit 2; }
[[ $# -ge 1 ]] || usage
component="$1"; shift

[[ -x "$VENV/bin/airflow" ]] || { echo "$0: no $VENV/bin/airflow; run scripts/setup-airflow.sh" >&2; exit 1; }
[[ -r "$ENV_FILE" ]] || { echo "$0: no $ENV_FILE; run scripts/setup-airflow.sh" >&2; exit 1; }

set -a; . "$ENV_FILE"; set +a
# Tasks and the components themselves start `airflow`/`python` from PATH.
export PATH="$VENV/bin:$PATH"
export PYTHONUNBUFFERED=1
cd "$AIRFLOW_HOME"

case "$component" in
  api-server)
    # Host and port from airflow.env (BIND_HOST/AIRFLOW_PORT of ports.env).
    exec airflow api-server --host "$AIRFLOW__API__HOST" --port "$AIRFLOW__API__PORT" "$@" ;;
  scheduler)
    # --skip-serve-logs: the log server would listen on ALL interfaces at port
    # 8793 (its host is not configurable). Tasks run on this machine
    # (LocalExecutor) and the api-server reads their logs from var/log/airflow.
    exec airflow scheduler --skip-serve-logs "$@" ;;
  dag-processor)
    exec airflow dag-processor "$@" ;;
  triggerer)
    # Only needed by deferrable operators/sensors; none of ours use them yet.
    exec airflow triggerer --skip-serve-logs "$@" ;;
  *) usage ;;
esac

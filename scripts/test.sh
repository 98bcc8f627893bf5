#!/usr/bin/env bash
# Runs every test suite against the real services; exits non-zero on any failure.
# Starts what the tests need and stops what it started.
source "$(dirname "$0")/lib.sh"
S="$ROOT/scripts"
was_running=false
[[ -S "$VAR/run/supervisor.sock" ]] && "$ROOT/.venv/tools/bin/supervisorctl" -c "$VAR/run/supervisord.conf" pid >/dev/null 2>&1 && was_running=true
cleanup() {
  bash "$S/services.sh" stop-one ckan-test >/dev/null 2>&1 || true
  $was_running || bash "$S/services.sh" stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
bash "$S/services.sh" start redis solr

REPORTS="$VAR/test-reports"; rm -rf "$REPORTS"; mkdir -p "$REPORTS"
rc=0
start=$(date +%s)

# The pure core's tests run once, in suite 2: the Airflow venv, which has no CKAN.
CORE_TESTS=ckanext-qingyang/ckanext/qingyang/core/tests

log "suite 1/2: ckanext-qingyang (CKAN's pytest plugin, var/ckan/test.ini)"
(cd "$ROOT" && "$ROOT/.venv/ckan/bin/pytest" --ckan-ini="$VAR/ckan/test.ini" \
   -p no:cacheprovider -q --junitxml="$REPORTS/ckanext.xml" --ignore="$CORE_TESTS" ckanext-qingyang "$@") || rc=1

log "suite 2/2: the core, the DAGs and docker/ (Airflow venv) against a CKAN web process on port $TEST_CKAN_PORT"
"$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/test.ini" db upgrade >/dev/null 2>&1 || true
"$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/test.ini" db pending-migrations --apply >/dev/null 2>&1 || true
"$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/test.ini" qingyang \
  pipeline-token --renew --file "$VAR/secrets/ckan_test_pipeline_token" >/dev/null 2>>"$VAR/log/test-setup.log" \
  || die "could not issue the test pipeline token (var/log/test-setup.log)"
bash "$S/services.sh" start ckan-test
(cd "$ROOT" && QINGYANG_TEST_CKAN_URL="http://127.0.0.1:$TEST_CKAN_PORT" \
   QINGYANG_TEST_CKAN_TOKEN_FILE="$VAR/secrets/ckan_test_pipeline_token" \
   "$ROOT/.venv/airflow/bin/pytest" -p no:cacheprovider -q --junitxml="$REPORTS/dags.xml" "$CORE_TESTS" tests/dags tests/docker) || rc=1

python3 "$S/junit_total.py" "$REPORTS"/*.xml || rc=1
log "tests took $(( $(date +%s) - start ))s"
exit $rc

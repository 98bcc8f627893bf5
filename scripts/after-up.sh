#!/usr/bin/env bash
# After `make up` started the services: sysadmin, organization tree, demo
# catalog, demo 我要问 messages (after the tree: they need its 政务服务中心; a rerun adds
# only what is missing), then the URLs and the login.
source "$(dirname "$0")/lib.sh"
ADMIN=admin
secret ckan_admin_password >/dev/null
out="$("$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/ckan.ini" qingyang \
  ensure-sysadmin --password-file "$VAR/secrets/ckan_admin_password" "$ADMIN" \
  load-orgs \
  demo --size "${DEMO_SIZE:-2000}" \
  reindex --type shared_resource \
  demo-access --secrets "$VAR/secrets" \
  demo-messages --size "${DEMO_MESSAGES:-300}" \
  2> "$VAR/log/after-up.log")" || { tail -20 "$VAR/log/after-up.log"; die "loading the catalog failed (var/log/after-up.log)"; }
echo "$out" | sed 's/^/  /'
first_run=false
[[ "$out" == *"sysadmin $ADMIN: created"* ]] && first_run=true
# What the index holds follows the schema, the synonyms and the index code: when they
# change, rebuild it (the demo load itself indexes a new catalog).
INDEX_INPUTS=("$ROOT/solr/home/ckan/conf/schema.xml" "$ROOT/catalogs/synonyms.yaml"
  "$ROOT"/ckanext-qingyang/ckanext/qingyang/{core/searchterms.py,catalog/search.py,catalog/terms.py})
if ! stamp_ok "$VAR/solr/.index-stamp" "${INDEX_INPUTS[@]}"; then
  if ! $first_run; then
    log "schema, synonyms or index code changed: rebuilding the search index"
    "$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/ckan.ini" search-index rebuild -q >>"$VAR/log/after-up.log" 2>&1 \
      || die "search-index rebuild failed (var/log/after-up.log)"
  fi
  stamp_write "$VAR/solr/.index-stamp" "${INDEX_INPUTS[@]}"
fi
# 督查 demo (a rerun changes nothing): a year of 办件 (示例) dropped in the inbox and loaded by
# qingyang_cases, as an approval system's files would be; today's list ratings
# (qingyang_timeliness); 示例 责任人; then the past 11 months stored as the board's history.
run_dag() {
  ( set -a; . "$VAR/airflow/airflow.env"; set +a
    "$ROOT/.venv/airflow/bin/airflow" dags test "$1" ) >>"$VAR/log/after-up.log" 2>&1 \
    || { tail -20 "$VAR/log/after-up.log"; die "$1 failed (var/log/after-up.log)"; }
}
"$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/ckan.ini" qingyang cases-demo --size "${DEMO_CASES:-50000}" \
  2>>"$VAR/log/after-up.log" | sed 's/^/  /' || die "cases-demo failed (var/log/after-up.log)"
run_dag qingyang_cases
run_dag qingyang_timeliness
"$ROOT/.venv/ckan/bin/ckan" -c "$VAR/ckan/ckan.ini" qingyang demo-accountability assessment-snapshot --backfill 11 \
  2>>"$VAR/log/after-up.log" | sed 's/^/  /' || die "the 督查 demo failed (var/log/after-up.log)"
AF_PASS_FILE="$VAR/secrets/airflow_admin_password"
cat <<MSG

庆阳市政务信息资源共享与公开平台 is up.
  CKAN      http://$BIND_HOST:$CKAN_PORT/          (API: /api/3/action/status_show)
  Solr      http://$BIND_HOST:$SOLR_PORT/solr/ckan/select?q=*:*
  Airflow   http://$BIND_HOST:$AIRFLOW_PORT/
  Logs      var/log/      Stop: make down      Status: make status
MSG
if $first_run; then
  echo "  CKAN sysadmin login (shown once; kept in var/secrets/ckan_admin_password):"
  echo "    user: $ADMIN   password: $(cat "$VAR/secrets/ckan_admin_password")"
else
  echo "  CKAN sysadmin: user $ADMIN, password in var/secrets/ckan_admin_password"
fi
[[ -s "$AF_PASS_FILE" ]] && echo "  Airflow: user admin, password in ${AF_PASS_FILE#$ROOT/}"

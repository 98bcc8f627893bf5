#!/usr/bin/env bash
# Run Solr 9.10.1 (built by scripts/build-solr.sh) in the FOREGROUND, for
# supervisord or a terminal. Bind address and port come from ports.env at the
# repo root (BIND_HOST, SOLR_PORT); environment variables override it.
#
# Runtime state lives under var/ (git-ignored):
#   var/solr/            Solr home (solr.xml, ckan/core.properties copied once)
#   var/solr/ckan/conf/  refreshed from solr/home/ckan/conf on EVERY start
#   var/solr/ckan/data/  the index and transaction log
#   var/log/solr.log     Solr's log
# After a schema change, rebuild CKAN's index: ckan search-index rebuild.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# ports.env gives defaults; values already in the environment win.
env_bind="${BIND_HOST-}" env_port="${SOLR_PORT-}"
if [[ -f "$ROOT/ports.env" ]]; then
  # shellcheck source=/dev/null
  . "$ROOT/ports.env"
fi
BIND_HOST="${env_bind:-${BIND_HOST:-127.0.0.1}}"
SOLR_PORT="${env_port:-${SOLR_PORT:-8983}}"

TARGET="$ROOT/solr/target"
if [[ ! -f "$TARGET/solr-launcher.jar" || ! -d "$TARGET/lib" ]]; then
  echo "run-solr: Solr is not built; run scripts/build-solr.sh first" >&2
  exit 1
fi

SOLR_HOME="$ROOT/var/solr"
LOG_DIR="$ROOT/var/log"
TEMPLATE="$ROOT/solr/home"
mkdir -p "$SOLR_HOME/ckan" "$LOG_DIR"

# First run only: these may be edited in place afterwards.
[[ -f "$SOLR_HOME/solr.xml" ]] || cp "$TEMPLATE/solr.xml" "$SOLR_HOME/solr.xml"
[[ -f "$SOLR_HOME/ckan/core.properties" ]] \
  || cp "$TEMPLATE/ckan/core.properties" "$SOLR_HOME/ckan/core.properties"

# Every start: the config in git is the truth, so schema changes apply.
rm -rf "$SOLR_HOME/ckan/conf.new"
cp -R "$TEMPLATE/ckan/conf" "$SOLR_HOME/ckan/conf.new"
rm -rf "$SOLR_HOME/ckan/conf"
mv "$SOLR_HOME/ckan/conf.new" "$SOLR_HOME/ckan/conf"

JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"

cd "$SOLR_HOME"
# exec: supervisord's SIGTERM reaches the JVM, whose shutdown hook stops Jetty
# and closes the core cleanly.
exec "$JAVA" \
  -Xms128m -Xmx512m -Xss256k \
  -XX:+UseG1GC -XX:MaxGCPauseMillis=250 -XX:+ParallelRefProcEnabled \
  -XX:+PerfDisableSharedMem -XX:-OmitStackTraceInFastThrow \
  -XX:+ExitOnOutOfMemoryError \
  -Dfile.encoding=UTF-8 -Duser.timezone=UTC \
  -Dsolr.host="$BIND_HOST" -Djetty.port="$SOLR_PORT" \
  -Dsolr.solr.home="$SOLR_HOME" \
  -Dsolr.install.dir="$ROOT/solr" \
  -Dsolr.log.dir="$LOG_DIR" \
  -Dlog4j.configurationFile="$ROOT/solr/log4j2.xml" \
  -Djava.util.logging.manager=org.apache.logging.log4j.jul.LogManager \
  -cp "$TARGET/solr-launcher.jar:$TARGET/lib/*" \
  cn.gov.qingyang.solr.SolrLauncher

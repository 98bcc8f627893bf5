#!/usr/bin/env bash
# Build Apache Solr 9.10.1 (from Maven Central artifacts) plus our Jetty launcher
# into solr/target: lib/ (runtime classpath) and solr-launcher.jar.
# Idempotent: does nothing unless solr/pom.xml or solr/src changed since the last
# successful build (hash kept in solr/target/.build-stamp).
set -euo pipefail

start=$(date +%s.%N)
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SOLR_DIR="$ROOT/solr"
TARGET="$SOLR_DIR/target"
STAMP="$TARGET/.build-stamp"

elapsed() { awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f", e - s }'; }

command -v mvn >/dev/null || { echo "build-solr: mvn not found (apt package maven)" >&2; exit 1; }
command -v java >/dev/null || { echo "build-solr: java not found (Java 17 needed)" >&2; exit 1; }

# Hash of everything that shapes the build output.
hash=$(cd "$SOLR_DIR" && { echo pom.xml; find src -type f | LC_ALL=C sort; } \
        | xargs sha256sum | sha256sum | cut -d' ' -f1)

if [[ -f "$STAMP" && "$(cat "$STAMP")" == "$hash" \
      && -f "$TARGET/solr-launcher.jar" && -d "$TARGET/lib" ]]; then
  echo "build-solr: up to date ($(elapsed)s)"
  exit 0
fi

rm -f "$STAMP"
# A dependency change must not leave old jars behind in the classpath directory.
rm -rf "$TARGET/lib"

MVN=(mvn -q -B -f "$SOLR_DIR/pom.xml" package)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
# Offline first (everything is in ~/.m2 after the first build); online if that fails.
if ! "${MVN[@]}" -o >"$log" 2>&1; then
  echo "build-solr: offline build failed, resolving from Maven Central..."
  # (sed: Maven 3.8 prints stray ANSI resets even with -B -q)
  if ! "${MVN[@]}" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; then
    echo "build-solr: FAILED after $(elapsed)s" >&2
    exit 1
  fi
fi

echo "$hash" > "$STAMP"
echo "build-solr: built solr/target ($(ls "$TARGET/lib" | wc -l) jars) in $(elapsed)s"

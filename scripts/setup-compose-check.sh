#!/usr/bin/env bash
# Builds var/qy-compose-check (docker/check/: compose-go, the loader of `docker compose`,
# and BuildKit's Dockerfile parser) for tests/docker/. Go modules come from the module
# proxy into var/go (the project's own module cache), pinned by docker/check/go.sum.
# Safe to run twice: rebuilds only when docker/check/ changed (stamp by hash).
source "$(dirname "$0")/lib.sh"
SRC="$ROOT/docker/check"
BIN="$VAR/qy-compose-check"
INPUTS=("$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go")
if [[ -x "$BIN" ]] && stamp_ok "$BIN.stamp" "${INPUTS[@]}"; then
  log "compose checker up to date"; exit 0
fi
GO="$(command -v go || echo /usr/local/go/bin/go)"
[[ -x "$GO" ]] || die "the Go toolchain (>= the version in docker/check/go.mod) is needed to build the compose checker"
export GOPATH="$VAR/go" GOCACHE="$VAR/go/cache" GOTOOLCHAIN=local GOFLAGS="-modcacherw -mod=readonly"
start=$(date +%s)
log "building the compose checker (docker/check, $("$GO" env GOVERSION))"
(cd "$SRC" && "$GO" mod download && "$GO" build -trimpath -o "$BIN.new" .) >"$VAR/log/compose-check-build.log" 2>&1 \
  || { tail -20 "$VAR/log/compose-check-build.log"; die "compose checker build failed (var/log/compose-check-build.log)"; }
mv "$BIN.new" "$BIN"
stamp_write "$BIN.stamp" "${INPUTS[@]}"
log "compose checker built in $(( $(date +%s) - start ))s: $BIN"

#!/usr/bin/env bash
# Builds docker/check (compose-go and BuildKit's Dockerfile parser, pinned by go.mod/go.sum)
# into .venv/go/bin/dockercheck, for the production files' checks (tests/docker/).
# Modules come from the Go module proxy into .venv/go; rebuilt only when docker/check changes.
source "$(dirname "$0")/lib.sh"
GO_HOME="$ROOT/.venv/go"; BIN="$GO_HOME/bin/dockercheck"; SRC="$ROOT/docker/check"
GO="$(command -v go || true)"; [[ -z "$GO" && -x /usr/local/go/bin/go ]] && GO=/usr/local/go/bin/go
if stamp_ok "$GO_HOME/.stamp" "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go" && [[ -x "$BIN" ]]; then
  exit 0
fi
[[ -n "$GO" ]] || die "Go is needed to build docker/check (go.mod: $(sed -n 's/^go //p' "$SRC/go.mod")); none on PATH or in /usr/local/go"
log "building docker/check with $("$GO" version | cut -d' ' -f3)"
mkdir -p "$GO_HOME/bin"
(cd "$SRC" && GOPATH="$GO_HOME" GOMODCACHE="$GO_HOME/mod" GOCACHE="$GO_HOME/cache" GOFLAGS=-modcacherw \
   "$GO" build -trimpath -o "$BIN" .) || die "could not build docker/check"
stamp_write "$GO_HOME/.stamp" "$SRC/go.mod" "$SRC/go.sum" "$SRC/main.go"

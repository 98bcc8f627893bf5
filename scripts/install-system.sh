#!/usr/bin/env bash
# Installs the Debian packages the platform needs. Safe to run twice:
# apt runs only when a package is missing.
source "$(dirname "$0")/lib.sh"
# chromium + fonts-noto-cjk: the portal's browser tests and scripts/screenshots.py drive
# Debian's chromium through Playwright (never `playwright install`); CJK fonts render Chinese.
# libmagic1: python-magic reads uploads' types from their content.
# libpango: WeasyPrint lays out the 通报 PDF (with fonts-noto-cjk for the Chinese).
PKGS=(postgresql postgresql-contrib libpq-dev gcc make curl redis-server
      openjdk-17-jdk-headless maven python3-venv git chromium fonts-noto-cjk libmagic1
      libpango-1.0-0 libpangoft2-1.0-0)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# node + npm bundle the portal's front-end libraries (ECharts) at install time. Any node
# will do: NodeSource's nodejs ships its own npm and conflicts with Debian's npm package.
command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
if ((${#missing[@]})); then
  [[ $EUID -eq 0 ]] || die "need root to apt-get install: ${missing[*]}"
  log "apt-get install ${missing[*]}"
  # Keep Debian from starting its own redis/postgres services during install:
  # supervisord and scripts/services.sh decide what runs.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >/dev/null
  apt-get install -y -q --no-install-recommends "${missing[@]}" >"$VAR/log/apt.log" 2>&1 \
    || { tail -20 "$VAR/log/apt.log"; die "apt-get install failed (see var/log/apt.log)"; }
else
  log "system packages present"
fi

#!/usr/bin/env bash
# Provision headless Chromium for the browser tests: Debian's `chromium` package, driven by playwright-core
# through its executable path (Playwright never downloads a browser here). Idempotent: a fast no-op when a
# browser is already there; prints the executable's path as the last stdout line.
#
#   bash scripts/ensure-chromium.sh
#
# Order: PTFLOW_CHROMIUM (an executable file), then `chromium` / `chromium-browser` on PATH, then
# `apt-get install chromium` (as root, or through passwordless sudo). The test harness (test/helpers/browser.ts)
# looks in the same order.
set -euo pipefail

log() { printf '[ensure-chromium] %s\n' "$*" >&2; }
die() {
  log "error: $*"
  log "install it with \`sudo apt-get install -y chromium\` (Debian/Ubuntu), or set PTFLOW_CHROMIUM to a Chromium executable"
  exit 1
}

if [[ -n "${PTFLOW_CHROMIUM:-}" ]]; then
  [[ -f "$PTFLOW_CHROMIUM" && -x "$PTFLOW_CHROMIUM" ]] || die "PTFLOW_CHROMIUM=$PTFLOW_CHROMIUM is not an executable file"
  printf '%s\n' "$PTFLOW_CHROMIUM"
  exit 0
fi

find_browser() {
  local name
  for name in chromium chromium-browser; do
    if command -v "$name" >/dev/null 2>&1; then
      command -v "$name"
      return 0
    fi
  done
  return 1
}

if found="$(find_browser)"; then
  printf '%s\n' "$found"
  exit 0
fi

command -v apt-get >/dev/null 2>&1 || die "no Chromium found and apt-get is not available"
if [[ "$(id -u)" -eq 0 ]]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  as_root=(sudo -n)
else
  die "no Chromium found, and installing it needs root"
fi
log "installing Debian's chromium package (apt-get; once per machine)…"
"${as_root[@]}" apt-get update -qq >&2 || die "apt-get update failed"
DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends chromium >&2 ||
  die "apt-get install chromium failed"
found="$(find_browser)" || die "chromium was installed but is not on PATH"
printf '%s\n' "$found"

#!/usr/bin/env bash
# Provision the official Temporal server binary (go.temporal.io/server/cmd/server) of the SAME release that
# temporal-docker/ deploys, into the per-user cache, so tests can run a real server with settings the CLI's
# dev server does not offer (TLS with required client certificates: test/temporal/mtls.int.test.ts). Built
# once with Go from the official module (no replace directives); idempotent and safe to rerun. Takes minutes
# (11+ on two busy cores) the first time; reuses Go's module and build caches afterwards.
#
#   bash scripts/ensure-temporal-server.sh      # prints the binary's path as the last stdout line
#
# Result: ${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/temporal-server/<version>/temporal-server
#
# Env: TEMPORAL_SERVER_VERSION (default: the server tag in temporal-docker/docker-compose.yml),
#      PTFLOW_CACHE_DIR, GO (default go).
set -euo pipefail

log() { printf '[ensure-temporal-server] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
version=${TEMPORAL_SERVER_VERSION:-}
if [[ -z "$version" ]]; then
  version=$(sed -n 's/^ *image: temporalio\/server:\([0-9.]*\)$/\1/p' "$root/temporal-docker/docker-compose.yml" | head -n 1)
  [[ -n "$version" ]] || die "cannot read the server tag from temporal-docker/docker-compose.yml"
fi
cache=${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}
dest="$cache/temporal-server/$version"
if [[ -x "$dest/temporal-server" ]]; then
  printf '%s\n' "$dest/temporal-server"
  exit 0
fi

go=${GO:-go}
command -v "$go" >/dev/null || die "Go is needed to build the Temporal server (go.temporal.io/server@v$version)"
mkdir -p "$cache/temporal-server"
build=$(mktemp -d "$cache/temporal-server/.build-$version-XXXXXX")
trap 'rm -rf "$build"' EXIT
log "building go.temporal.io/server/cmd/server@v$version (once; several minutes)"
GOBIN="$build" GOFLAGS=-mod=mod "$go" install "go.temporal.io/server/cmd/server@v$version"
mv "$build/server" "$build/temporal-server"
# Publish atomically (a rename): a concurrent run either sees nothing or the complete directory.
if mv -T "$build" "$dest" 2>/dev/null; then
  trap - EXIT
fi
[[ -x "$dest/temporal-server" ]] || die "publishing $dest failed"
printf '%s\n' "$dest/temporal-server"

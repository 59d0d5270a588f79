#!/usr/bin/env bash
# Provision Temporal's `temporal-sql-tool` and the schema files of the SAME server release that
# temporal-docker/ deploys (the admin-tools image carries both), so tests can run temporal-docker/scripts/
# temporal-schema.sh against a real PostgreSQL without Docker. Built once with Go from the official module
# (go.temporal.io/server has no replace directives) into the per-user cache; idempotent and safe to rerun.
#
#   bash scripts/ensure-temporal-sql-tool.sh      # prints the tool's path as the last stdout line
#
# Result: ${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/temporal-sql/<version>/
#   temporal-sql-tool      the binary (go.temporal.io/server/cmd/tools/sql)
#   schema/                the module's schema/ tree (postgresql/v12/{temporal,visibility}/versioned)
#
# Env: TEMPORAL_SQL_TOOL_VERSION (default: the server tag in temporal-docker/docker-compose.yml),
#      PTFLOW_CACHE_DIR, GO (default go).
set -euo pipefail

log() { printf '[ensure-temporal-sql-tool] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
version=${TEMPORAL_SQL_TOOL_VERSION:-}
if [[ -z "$version" ]]; then
  version=$(sed -n 's/^ *image: temporalio\/server:\([0-9.]*\)$/\1/p' "$root/temporal-docker/docker-compose.yml" | head -n 1)
  [[ -n "$version" ]] || die "cannot read the server tag from temporal-docker/docker-compose.yml"
fi
cache=${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}
dest="$cache/temporal-sql/$version"
if [[ -x "$dest/temporal-sql-tool" && -d "$dest/schema/postgresql/v12" ]]; then
  printf '%s\n' "$dest/temporal-sql-tool"
  exit 0
fi

go=${GO:-go}
command -v "$go" >/dev/null || die "Go is needed to build temporal-sql-tool (go.temporal.io/server@v$version)"
mkdir -p "$cache/temporal-sql"
build=$(mktemp -d "$cache/temporal-sql/.build-$version-XXXXXX")
trap 'rm -rf "$build"' EXIT
log "building go.temporal.io/server/cmd/tools/sql@v$version (once; several minutes)"
GOBIN="$build" GOFLAGS=-mod=mod "$go" install "go.temporal.io/server/cmd/tools/sql@v$version"
modcache=$("$go" env GOMODCACHE)
src="$modcache/go.temporal.io/server@v$version/schema"
[[ -d "$src/postgresql/v12" ]] || die "schema files not found in $src"
cp -R "$src" "$build/schema"
chmod -R u+w "$build/schema"
mv "$build/sql" "$build/temporal-sql-tool"
# Publish atomically (a rename): a concurrent run either sees nothing or the complete directory. When another
# run published first, the rename fails and this build is discarded by the EXIT trap.
if mv -T "$build" "$dest" 2>/dev/null; then
  trap - EXIT
fi
[[ -x "$dest/temporal-sql-tool" ]] || die "publishing $dest failed"
printf '%s\n' "$dest/temporal-sql-tool"

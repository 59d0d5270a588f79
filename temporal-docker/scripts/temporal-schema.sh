#!/bin/sh
# Creates and upgrades Temporal's two PostgreSQL databases (main store + visibility) with the
# temporal-sql-tool and the schema files shipped in the admin-tools image (same release as the server).
# Idempotent: runs on every `docker compose up`, and is how upgrades get their schema changes.
#
# Reads (set by docker-compose.yml): SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (picked up by
# temporal-sql-tool itself), TEMPORAL_DBNAME, TEMPORAL_VISIBILITY_DBNAME; TEMPORAL_SCHEMA_ROOT overrides where
# the schema files are (the image's /etc/temporal/schema/postgresql/v12; tests point it at the server module).
set -eu

: "${SQL_PLUGIN:?}" "${SQL_HOST:?}" "${SQL_USER:?}"
case "${SQL_PASSWORD:-}" in
  '' | *CHANGE_ME*)
    echo "temporal-schema: TEMPORAL_DB_PASSWORD is empty or still a CHANGE_ME placeholder; refusing to continue" >&2
    exit 1
    ;;
esac

SCHEMA_ROOT="${TEMPORAL_SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}"
MAIN_DB="${TEMPORAL_DBNAME:-temporal}"
VISIBILITY_DB="${TEMPORAL_VISIBILITY_DBNAME:-temporal_visibility}"

ensure_database() {
  # `create-database` succeeds whether or not the database exists (the tool ignores the duplicate), so it
  # cannot tell which case happened. Connecting to the database can: `setup-schema -v 0.0` only creates the
  # version tables (a no-op once the schema is past 0.0) and fails when the database does not exist.
  if output=$(temporal-sql-tool --db "$1" setup-schema -v 0.0 2>&1); then
    echo "temporal-schema: database $1 already exists"
  elif printf '%s' "$output" | grep -q 'database.*does not exist'; then
    temporal-sql-tool --db "$1" create-database
    temporal-sql-tool --db "$1" setup-schema -v 0.0
    echo "temporal-schema: created database $1"
  else
    printf '%s\n' "$output" >&2
    exit 1
  fi
}

migrate() {
  # update-schema applies every versioned step newer than the recorded version.
  temporal-sql-tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned"
  echo "temporal-schema: $1 is at the schema version of this admin-tools release"
}

ensure_database "$MAIN_DB"
ensure_database "$VISIBILITY_DB"
migrate "$MAIN_DB" temporal
migrate "$VISIBILITY_DB" visibility

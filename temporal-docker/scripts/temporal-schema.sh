#!/bin/sh
# Creates and upgrades Temporal's two PostgreSQL databases (main store + visibility) with the
# temporal-sql-tool and the schema files shipped in the admin-tools image (same release as the server).
# Idempotent: runs on every `docker compose up`, and is how upgrades get their schema changes.
#
# Reads (set by docker-compose.yml): SQL_PLUGIN, SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD (picked up by
# temporal-sql-tool itself), TEMPORAL_DBNAME, TEMPORAL_VISIBILITY_DBNAME.
set -eu

: "${SQL_PLUGIN:?}" "${SQL_HOST:?}" "${SQL_USER:?}"
case "${SQL_PASSWORD:-}" in
  '' | *CHANGE_ME*)
    echo "temporal-schema: TEMPORAL_DB_PASSWORD is empty or still a CHANGE_ME placeholder; refusing to continue" >&2
    exit 1
    ;;
esac

SCHEMA_ROOT=/etc/temporal/schema/postgresql/v12
MAIN_DB="${TEMPORAL_DBNAME:-temporal}"
VISIBILITY_DB="${TEMPORAL_VISIBILITY_DBNAME:-temporal_visibility}"

create_database() {
  # create-database fails when the database exists; that case is fine, anything else is not.
  if output=$(temporal-sql-tool --db "$1" create-database 2>&1); then
    echo "temporal-schema: created database $1"
  elif printf '%s' "$output" | grep -q 'already exists'; then
    echo "temporal-schema: database $1 already exists"
  else
    printf '%s\n' "$output" >&2
    exit 1
  fi
}

migrate() {
  # setup-schema -v 0.0 only creates the version tables (no-op once the schema is past 0.0);
  # update-schema applies every versioned step newer than the recorded version.
  temporal-sql-tool --db "$1" setup-schema -v 0.0
  temporal-sql-tool --db "$1" update-schema -d "$SCHEMA_ROOT/$2/versioned"
  echo "temporal-schema: $1 is at the schema version of this admin-tools release"
}

create_database "$MAIN_DB"
create_database "$VISIBILITY_DB"
migrate "$MAIN_DB" temporal
migrate "$VISIBILITY_DB" visibility

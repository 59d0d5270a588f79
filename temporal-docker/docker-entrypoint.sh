#!/bin/sh
# Entrypoint of the ptflow image: refuse to start with missing or placeholder configuration, then exec the
# command (node dist/cli/main.js api|worker|migrate) so that node receives signals directly (tini, from
# `init: true` in compose, is PID 1).
#
# PTFLOW_REQUIRED_ENV: space-separated names that must be non-empty and must not contain CHANGE_ME (the
# placeholder used by temporal-docker/.env.example). NAME_FILE, a readable non-empty file, satisfies NAME. docker-compose.yml sets it per service. Secrets default
# to empty in the compose file so that `docker compose config` validates without them; this is the
# run-time half of that bargain.
set -eu

fail() {
  echo "ptflow-entrypoint: $*" >&2
  exit 64
}

for name in ${PTFLOW_REQUIRED_ENV:-}; do
  case "$name" in
    '' | *[!A-Za-z0-9_]* | [0-9]*) fail "PTFLOW_REQUIRED_ENV contains an invalid variable name: '$name'" ;;
  esac
  eval "value=\${$name:-}"
  eval "file=\${${name}_FILE:-}"
  # shellcheck disable=SC2154 # assigned by the evals above
  if [ -z "$value" ] && [ -n "$file" ]; then
    # NAME_FILE (a mounted secret) stands in for NAME: ptflow reads the file (cli/config.ts).
    [ -r "$file" ] || fail "${name}_FILE names a file that does not exist or cannot be read"
    [ -s "$file" ] || fail "${name}_FILE names an empty file"
    if grep -q CHANGE_ME "$file"; then
      fail "${name}_FILE still contains the CHANGE_ME placeholder"
    fi
    continue
  fi
  case "$value" in
    '') fail "$name is required but empty (see temporal-docker/.env.example)" ;;
    *CHANGE_ME*) fail "$name still contains the CHANGE_ME placeholder (see temporal-docker/.env.example)" ;;
  esac
done

# DATABASE_URL is assembled by compose from parts; an empty password part means APP_DB_PASSWORD was unset.
if [ -n "${DATABASE_URL:-}" ]; then
  rest=${DATABASE_URL#*://}
  case "$rest" in
    *@*)
      userinfo=${rest%%@*}
      case "$userinfo" in
        *:) fail "DATABASE_URL has an empty password (set APP_DB_PASSWORD)" ;;
      esac
      ;;
  esac
fi

if [ "$#" -eq 0 ]; then
  fail "no command given (expected e.g. node dist/cli/main.js api)"
fi

exec "$@"

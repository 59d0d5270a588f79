#!/bin/sh
# Makes sure ptflow's Temporal namespace exists (with the configured retention) and that ptflow's custom
# search attributes are registered in it. Idempotent: runs on every `docker compose up`.
#
# With SQL (PostgreSQL) visibility, custom search attributes belong to a namespace and map onto
# pre-allocated columns: per namespace at most 10 Keyword, 3 Int, 3 Bool, 3 Datetime, 3 Double, 3 Text and
# 3 KeywordList. ptflow uses 7 Keyword, 1 Bool, 2 Datetime, 1 Int.
#
# Reads: PTFLOW_TEMPORAL_ADDRESS, PTFLOW_NAMESPACE, PTFLOW_NAMESPACE_RETENTION (e.g. 30d, 720h).
set -eu

ADDRESS="${PTFLOW_TEMPORAL_ADDRESS:?}"
NAMESPACE="${PTFLOW_NAMESPACE:?}"
RETENTION="${PTFLOW_NAMESPACE_RETENTION:-30d}"

# Name=Type pairs; the workflows set them through typed keys (temporal/ search-attribute definitions).
SEARCH_ATTRIBUTES="
PracticeId=Keyword
PatientId=Keyword
ProcessKind=Keyword
ProcessStatus=Keyword
NeedsAttention=Bool
NextDeadline=Datetime
AuthVisitsRemaining=Int
ClaimStatus=Keyword
PayerId=Keyword
TaskRole=Keyword
DueAt=Datetime
"

tcli() { temporal --address "$ADDRESS" "$@"; }
frontend_healthy() { tcli operator cluster health >/dev/null 2>&1; }

retry() {
  # retry ATTEMPTS DESCRIPTION COMMAND... (2 s apart)
  attempts=$1
  what=$2
  shift 2
  n=1
  until "$@"; do
    if [ "$n" -ge "$attempts" ]; then
      echo "temporal-setup: $what failed after $attempts attempts" >&2
      return 1
    fi
    n=$((n + 1))
    sleep 2
  done
}

retry 60 "waiting for the frontend at $ADDRESS" frontend_healthy

ensure_namespace() {
  if tcli operator namespace describe --namespace "$NAMESPACE" >/dev/null 2>&1; then
    # Converge retention to the configured value (config as code).
    tcli operator namespace update --namespace "$NAMESPACE" --retention "$RETENTION" >/dev/null || return 1
    echo "temporal-setup: namespace $NAMESPACE exists (retention $RETENTION)"
    return 0
  fi
  if output=$(tcli operator namespace create --namespace "$NAMESPACE" --retention "$RETENTION" \
      --description "ptflow workflows" 2>&1); then
    echo "temporal-setup: namespace $NAMESPACE created (retention $RETENTION)"
  elif printf '%s' "$output" | grep -qi 'already exists'; then
    echo "temporal-setup: namespace $NAMESPACE already exists"
  else
    printf '%s\n' "$output" >&2
    return 1
  fi
}

retry 10 "namespace $NAMESPACE" ensure_namespace

# One call with every pair. Attributes that already exist with the same type are skipped by the server;
# an existing attribute with a DIFFERENT type is an error (fix it by hand, never silently).
set --
for pair in $SEARCH_ATTRIBUTES; do
  set -- "$@" --name "${pair%%=*}" --type "${pair#*=}"
done
# Retried: right after creation the namespace can take a few seconds to reach every frontend cache.
retry 30 "registering search attributes" tcli operator search-attribute create --namespace "$NAMESPACE" "$@"

registered=$(tcli operator search-attribute list --namespace "$NAMESPACE")
for pair in $SEARCH_ATTRIBUTES; do
  name="${pair%%=*}"
  if ! printf '%s\n' "$registered" | grep -qw "$name"; then
    echo "temporal-setup: search attribute $name is missing after registration" >&2
    exit 1
  fi
done
# shellcheck disable=SC2086 # word splitting of the pair list is intended
echo "temporal-setup: search attributes registered in $NAMESPACE:$(printf ' %s' $SEARCH_ATTRIBUTES)"

#!/usr/bin/env bash
# Provision the independent X12 validators the test suite checks ptflow's X12 against, so that nothing is
# downloaded at test time. Idempotent (a present, complete venv is a fast no-op); safe to run concurrently.
#
#   bash scripts/ensure-x12-validators.sh      # prints the venv's python as the last stdout line
#
# Result: ${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/x12-venv/ — a Python venv holding, from PyPI:
#   pyx12               (X12 5010 maps for 837P, 835, 277CA, 999; `x12valid`)
#   linuxforhealth-x12  (pydantic models for 270, 271, 276, 277, 278, 835, 837)
# Env: PTFLOW_CACHE_DIR (cache root), PYTHON (interpreter, Python ≥ 3.9; default python3).
set -euo pipefail

log() { printf '[ensure-x12-validators] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

PYX12_VERSION=4.0.0
LFH_X12_VERSION=0.57.0
# linuxforhealth-x12 imports pydantic v1 APIs (BaseSettings) but does not pin it: pin the v1 line here.
PYDANTIC_VERSION=1.10.26
stamp_text="pyx12==$PYX12_VERSION linuxforhealth-x12==$LFH_X12_VERSION pydantic==$PYDANTIC_VERSION"

cache_root="${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}"
venv="$cache_root/x12-venv"
stamp="$venv/.ptflow-complete"

is_complete() {
  [[ -x "$venv/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$stamp_text" ]]
}

if is_complete; then
  log "already provisioned: $venv"
  printf '%s\n' "$venv/bin/python"
  exit 0
fi

python_bin="${PYTHON:-python3}"
command -v "$python_bin" >/dev/null || die "$python_bin not found (Python 3.9+ with venv required)"
"$python_bin" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' ||
  die "$python_bin must be Python 3.9+ with the venv module"

mkdir -p "$cache_root"
exec 9>"$cache_root/.x12-venv.lock"
if command -v flock >/dev/null; then
  flock -w 900 9 || die "timed out waiting for $cache_root/.x12-venv.lock"
fi
if is_complete; then
  log "already provisioned (by a concurrent run): $venv"
  printf '%s\n' "$venv/bin/python"
  exit 0
fi

log "creating $venv and installing $stamp_text from PyPI"
# An incomplete venv (no stamp: a killed or failed run) is rebuilt from scratch; the stamp is written last.
rm -rf -- "$venv"
"$python_bin" -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  "pyx12==$PYX12_VERSION" "linuxforhealth-x12==$LFH_X12_VERSION" "pydantic==$PYDANTIC_VERSION" >&2 9>&-
"$venv/bin/python" -c 'import pyx12, linuxforhealth.x12.io' || die "installed packages do not import"
printf '%s' "$stamp_text" >"$stamp"
log "provisioned: $venv"
printf '%s\n' "$venv/bin/python"

#!/usr/bin/env bash
# Provision Temporal's Java time-skipping test server (io.temporal:temporal-test-server) for tests, so that
# nothing is downloaded at test time. Idempotent; safe to run concurrently (flock) and to kill (atomic publish).
#
#   bash scripts/ensure-test-server.sh            # prints the wrapper path as the last stdout line
#
# Result: ${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}/test-server/<version>/
#   lib/*.jar              temporal-test-server + its runtime dependencies (gathered with Maven)
#   app.jsa                AppCDS archive, built once here (cuts JVM start-to-ready roughly in half)
#   temporal-test-server   wrapper: exec java <fast-start flags> -cp "lib/*" io.temporal.testserver.TestServer "$@"
#
# <version>/ is a symlink to a hidden build dir (.<version>~XXXXXX) published with an atomic rename: the CDS
# archive records absolute jar paths, so the jars must never move after the archive is dumped.
#
# Env:
#   TEMPORAL_TEST_SERVER            if set and executable: print it, build nothing
#   TEMPORAL_TEST_SERVER_VERSION    override the pinned version (default: TEMPORAL_TEST_SERVER_VERSION in
#                                   devtools/test-server-path.ts, the single source of truth)
#   PTFLOW_CACHE_DIR                cache root (default $HOME/.cache/ptflow)
#   TEMPORAL_TEST_SERVER_JAVA       java binary to pin in the wrapper (default $JAVA_HOME/bin/java, else java on PATH)
#   MVN                             maven command (default mvn)
#   PTFLOW_TEST_SERVER_MEASURE=0    skip the start-time measurement printed at the end of a build
# Wrapper env at run time: TEMPORAL_TEST_SERVER_JAVA_OPTS (extra JVM flags, word-split).
set -euo pipefail

log() { printf '[ensure-test-server] %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# --- explicit override -------------------------------------------------------------------------------------
if [[ -n "${TEMPORAL_TEST_SERVER:-}" ]]; then
  if [[ -f "$TEMPORAL_TEST_SERVER" && -x "$TEMPORAL_TEST_SERVER" ]]; then
    log "using TEMPORAL_TEST_SERVER"
    printf '%s\n' "$TEMPORAL_TEST_SERVER"
    exit 0
  fi
  log "warning: TEMPORAL_TEST_SERVER=$TEMPORAL_TEST_SERVER is not an executable file; provisioning the cache instead"
fi

# --- version (single source of truth: devtools/test-server-path.ts) ----------------------------------------
script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version_source="$script_dir/../devtools/test-server-path.ts"
version="${TEMPORAL_TEST_SERVER_VERSION:-}"
if [[ -z "$version" ]]; then
  [[ -f "$version_source" ]] || die "cannot find $version_source (holds the pinned version)"
  version="$(sed -n "s/^export const TEMPORAL_TEST_SERVER_VERSION = '\([^']*\)';.*/\1/p" "$version_source")"
  [[ -n "$version" ]] || die "no TEMPORAL_TEST_SERVER_VERSION line found in $version_source"
fi
[[ "$version" =~ ^[0-9A-Za-z._-]+$ ]] || die "bad version: $version"

main_class=io.temporal.testserver.TestServer
wrapper_name=temporal-test-server
# Fast start on a small machine: C1 only, serial GC, no perf-data file. -Xshare:auto + the AppCDS archive.
jvm_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto)

cache_root="${PTFLOW_CACHE_DIR:-$HOME/.cache/ptflow}"
root="$cache_root/test-server"
final="$root/$version"
wrapper="$final/$wrapper_name"

is_complete() {
  # Complete = wrapper executable, jars present, and the java it pins still exists.
  [[ -x "$wrapper" && -f "$final/lib/temporal-test-server-$version.jar" ]] || return 1
  local pinned
  pinned="$(sed -n "s/^JAVA_BIN='\(.*\)'$/\1/p" "$wrapper")"
  [[ -n "$pinned" && -x "$pinned" ]]
}

if is_complete; then
  log "already provisioned: $final"
  printf '%s\n' "$wrapper"
  exit 0
fi

# --- tools -------------------------------------------------------------------------------------------------
if [[ -n "${TEMPORAL_TEST_SERVER_JAVA:-}" ]]; then
  java_bin="$TEMPORAL_TEST_SERVER_JAVA"
elif [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
  java_bin="$JAVA_HOME/bin/java"
else
  java_bin="$(command -v java || true)"
fi
[[ -n "$java_bin" ]] || die "java not found (Java 17+ required); install a JDK or set JAVA_HOME"
# Pin the real binary (not /usr/bin/java, which alternatives may repoint): the CDS archive is tied to it.
java_bin="$(readlink -f "$java_bin")"
[[ -x "$java_bin" ]] || die "java not executable: $java_bin"
java_spec="$("$java_bin" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
java_major="${java_spec#1.}"
java_major="${java_major%%.*}"
[[ "$java_major" =~ ^[0-9]+$ && "$java_major" -ge 17 ]] || die "Java 17+ required, $java_bin is ${java_spec:-unknown}"
mvn_cmd="${MVN:-mvn}"
command -v "$mvn_cmd" >/dev/null || die "maven ($mvn_cmd) not found"

# --- lock, then re-check (another run may have finished meanwhile) ------------------------------------------
mkdir -p "$root"
exec 9>"$root/.lock"
if command -v flock >/dev/null; then
  log "waiting for lock $root/.lock"
  flock -w 1800 9 || die "timed out waiting for $root/.lock"
fi
if is_complete; then
  log "already provisioned (by a concurrent run): $final"
  printf '%s\n' "$wrapper"
  exit 0
fi
# We hold the lock, so any other build dir of this version is debris from a killed run.
current_target="$(readlink "$final" 2>/dev/null || true)"
for stale in "$root/.$version~"*; do
  [[ -e "$stale" || -L "$stale" ]] || continue
  [[ "$(basename "$stale")" == "$current_target" ]] && continue
  # A run killed with SIGKILL may have left its server running: stop it if it still runs from that dir.
  if [[ -f "$stale/server.pid" ]]; then
    orphan="$(cat "$stale/server.pid" 2>/dev/null || true)"
    orphan_cmd=""
    [[ "$orphan" =~ ^[0-9]+$ ]] && orphan_cmd="$(tr '\0' ' ' <"/proc/$orphan/cmdline" 2>/dev/null || true)"
    if [[ "$orphan_cmd" == *"$stale/"* ]]; then
      log "killing leftover server pid $orphan"
      kill -KILL "$orphan" 2>/dev/null || true # SIGKILL: no archive write into the dir being removed
      for _ in $(seq 1 50); do [[ -d "/proc/$orphan" ]] || break; sleep 0.1; done
    fi
  fi
  log "removing leftover $stale"
  rm -rf -- "$stale" || log "warning: could not fully remove $stale"
done

build=""
server_pid=""
cleanup() {
  local rc=$?
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
  [[ -n "${build:-}" ]] && rm -rf -- "$build"
  [[ -n "${link_tmp:-}" ]] && rm -f -- "$link_tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
build="$(mktemp -d "$root/.$version~XXXXXX")"
chmod 0755 "$build"
log "building temporal-test-server $version in $build (java: $java_bin, Java $java_spec)"

# --- jars --------------------------------------------------------------------------------------------------
mkdir -p "$build/maven"
cat >"$build/maven/pom.xml" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>ptflow.local</groupId>
  <artifactId>temporal-test-server-classpath</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>io.temporal</groupId>
      <artifactId>temporal-test-server</artifactId>
      <version>$version</version>
    </dependency>
  </dependencies>
</project>
EOF
log "resolving io.temporal:temporal-test-server:$version and its runtime dependencies with Maven"
if ! "$mvn_cmd" -B -q -f "$build/maven/pom.xml" \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies \
  -DincludeScope=runtime -DoutputDirectory="$build/lib" >"$build/maven/mvn.log" 2>&1 9>&-; then
  tail -n 40 "$build/maven/mvn.log" >&2
  die "maven failed (log above)"
fi
rm -rf -- "$build/maven"
[[ -f "$build/lib/temporal-test-server-$version.jar" ]] || die "temporal-test-server-$version.jar missing after maven"
log "$(find "$build/lib" -name '*.jar' | wc -l) jars, $(du -sh "$build/lib" | cut -f1)"

# --- wrapper (absolute paths into the build dir: the CDS archive requires the exact dump-time class path) --
cat >"$build/$wrapper_name" <<EOF
#!/usr/bin/env bash
# Generated by scripts/ensure-test-server.sh: Temporal Java test server $version.
# Usage: $wrapper_name <port> [--enable-time-skipping]   (extra JVM flags: TEMPORAL_TEST_SERVER_JAVA_OPTS)
JAVA_BIN='$java_bin'
[ -x "\$JAVA_BIN" ] || JAVA_BIN=java
cds=()
[ -f '$build/app.jsa' ] && cds=(-XX:SharedArchiveFile='$build/app.jsa')
# shellcheck disable=SC2086
exec "\$JAVA_BIN" ${jvm_flags[*]} "\${cds[@]}" \${TEMPORAL_TEST_SERVER_JAVA_OPTS:-} \\
  -cp '$build/lib/*' $main_class "\$@"
EOF
chmod 0755 "$build/$wrapper_name"

# --- run the server until it answers gRPC, optionally warm it up, stop it cleanly ---------------------------
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "$p"; return 0; fi
  done
  return 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
have_curl=0
if command -v curl >/dev/null && curl --version | grep -q HTTP2; then have_curl=1; fi
# One unary gRPC call with an empty request (5-byte frame); success = server answered over HTTP/2.
grpc_call() {
  printf '\0\0\0\0\0' | curl -s -o /dev/null --max-time 2 --http2-prior-knowledge -X POST \
    -H 'content-type: application/grpc' -H 'te: trailers' --data-binary @- "http://127.0.0.1:$1/$2"
}
is_ready() {
  if ((have_curl)); then
    grpc_call "$1" temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo
  else
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
  fi
}

# run_server <warmup 0|1> <jvm args...>: starts the server, sets ready_ms (spawn → first answer), stops it.
ready_ms=""
run_server() {
  local warmup=$1 port t0 attempt
  shift
  for attempt in 1 2 3; do
    port="$(free_port)" || die "no free port found"
    t0="$(now_ms)"
    # 9>&-: the server must not inherit the lock fd (an orphaned server would hold the lock forever).
    "$java_bin" "$@" -cp "$build/lib/*" "$main_class" "$port" >"$build/server.log" 2>&1 9>&- &
    server_pid=$!
    echo "$server_pid" >"$build/server.pid"
    while ! is_ready "$port"; do
      if ! kill -0 "$server_pid" 2>/dev/null; then
        wait "$server_pid" 2>/dev/null || true
        server_pid=""
        log "server exited before listening (attempt $attempt):"
        tail -n 20 "$build/server.log" >&2
        continue 2
      fi
      if (($(now_ms) - t0 > 60000)); then die "server not ready within 60 s"; fi
      sleep 0.02
    done
    ready_ms=$(($(now_ms) - t0))
    if ((warmup && have_curl)); then
      # Exercise the request paths the SDK uses so their classes land in the archive too.
      local m
      for m in temporal.api.workflowservice.v1.WorkflowService/GetSystemInfo \
        temporal.api.testservice.v1.TestService/GetCurrentTime \
        temporal.api.testservice.v1.TestService/UnlockTimeSkipping \
        temporal.api.testservice.v1.TestService/LockTimeSkipping \
        grpc.health.v1.Health/Check; do
        grpc_call "$port" "$m" || true
      done
    fi
    # SIGTERM → JVM shutdown → the dynamic CDS archive is written at exit.
    kill -TERM "$server_pid"
    wait "$server_pid" 2>/dev/null || true
    server_pid=""
    return 0
  done
  die "server failed to start 3 times"
}

# --- AppCDS archive ----------------------------------------------------------------------------------------
log "dumping AppCDS archive (start server, wait for gRPC, warm up, stop)"
run_server 1 "${jvm_flags[@]}" -XX:ArchiveClassesAtExit="$build/app.jsa.tmp"
if [[ -s "$build/app.jsa.tmp" ]] &&
  "$java_bin" "${jvm_flags[@]/-Xshare:auto/-Xshare:on}" -XX:SharedArchiveFile="$build/app.jsa.tmp" \
    -cp "$build/lib/*" -version >/dev/null 2>"$build/cds-check.log"; then
  mv -f -- "$build/app.jsa.tmp" "$build/app.jsa"
  log "archive ok: $(du -h "$build/app.jsa" | cut -f1)"
else
  log "warning: AppCDS archive not usable; the wrapper will start without it (slower). Details:"
  tail -n 20 "$build/server.log" "$build/cds-check.log" >&2 2>/dev/null || true
  rm -f -- "$build/app.jsa.tmp"
fi
rm -f -- "$build/server.log" "$build/server.pid" "$build/cds-check.log"

# --- measurement (diagnostic only) -------------------------------------------------------------------------
if [[ "${PTFLOW_TEST_SERVER_MEASURE:-1}" != 0 ]]; then
  what=$([[ $have_curl == 1 ]] && echo "first gRPC answer" || echo "TCP listen")
  run_server 0 "${jvm_flags[@]}" # no SharedArchiveFile: JDK base archive only
  without=$ready_ms
  if [[ -f "$build/app.jsa" ]]; then
    run_server 0 "${jvm_flags[@]}" -XX:SharedArchiveFile="$build/app.jsa"
    log "start → $what: ${without} ms without AppCDS, ${ready_ms} ms with (the TS SDK allows 5000 ms)"
  else
    log "start → $what: ${without} ms without AppCDS (the TS SDK allows 5000 ms)"
  fi
  rm -f -- "$build/server.log" "$build/server.pid"
fi

# --- publish atomically: <version> becomes a symlink to the build dir ---------------------------------------
old_target="$(readlink "$final" 2>/dev/null || true)"
if [[ -e "$final" && ! -L "$final" ]]; then
  log "replacing non-symlink $final"
  rm -rf -- "$final"
fi
link_tmp="$root/.$version~link.$$"
ln -sfn "$(basename "$build")" "$link_tmp"
mv -fT -- "$link_tmp" "$final"
link_tmp=""
published="$build"
build="" # published: no longer removed by cleanup
if [[ -n "$old_target" && "$old_target" != "$(basename "$published")" && "$old_target" == ".$version~"* ]]; then
  rm -rf -- "${root:?}/$old_target"
fi
log "provisioned: $final -> $(basename "$published")"
printf '%s\n' "$wrapper"

#!/usr/bin/env bash
# A real, throw-away Elasticsearch for the test suite, CI and the ingest benchmark, without Docker.
#
# Usage:
#   bash test/support/elasticsearch.sh start [INSTANCE]  start an instance (fresh data), print its env file
#   bash test/support/elasticsearch.sh stop [INSTANCE]   stop it and wait until its processes are gone
#   bash test/support/elasticsearch.sh status [INSTANCE] "running <url>" (exit 0) or "stopped" (exit 3)
#   bash test/support/elasticsearch.sh env [INSTANCE]    print the export lines: eval "$(bash ... env)"
#   bash test/support/elasticsearch.sh check             exit 0 when this machine can start one (Java 17+,
#                                                        and the zip cached or Maven to fetch it)
#   bash test/support/elasticsearch.sh run [INSTANCE] -- CMD ARG..
#                                                        start, run CMD with the instance's variables,
#                                                        stop (also when CMD fails), exit with CMD's code
#   bash test/support/elasticsearch.sh add-user NAME ROLE[,ROLE]
#                                                        add a file-realm user with built-in roles (e.g.
#                                                        viewer) to a running instance; prints its password
#
# INSTANCE names the instance, as ES_INSTANCE does: `start newbie` is `ES_INSTANCE=newbie ... start`
# (naming it both ways, differently, is refused). `run` takes it only before `--`. Any other extra
# argument is refused with exit 2, so that a mistyped command never acts on the wrong instance.
#
# Environment:
#   ES_INSTANCE       instance name (default "default"); each has its own port, data, logs and password,
#                     so several can run side by side: ES_INSTANCE=outage bash ... start
#   ES_VERSION        Elasticsearch version (default 8.19.21, the newest integ-test-zip on Maven Central)
#   ES_JAVA_HOME      the JDK to run it with (default: OpenJDK 17 if installed, else JAVA_HOME, else `java`)
#   ES_HEAP           heap size (default 512m: the test machines have 2 cores and run several instances)
#   ES_START_TIMEOUT  seconds to wait for yellow/green health (default 180)
#   ES_RUN_AS         user to run it as when invoked as root (default "labes", created if missing);
#                     Elasticsearch refuses to run as root. Not root: it runs as the current user.
#
# What it does: fetches org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip with
# Maven (cached in the local Maven repository, so a second run downloads nothing), unpacks it once into
# .es/dist/ (git-ignored), and runs each instance from .es/instances/<name>/ with its own config dir,
# keystore (bootstrap.password = a generated password for `elastic`), data and logs. It binds HTTP and
# transport to 127.0.0.1 on ports the OS picks, and reads the HTTP port back from the ports file
# Elasticsearch writes (node.portsfile), so there is no race for a "free" port.
#
# The distribution holds the server with x-pack core and security only: no ML, no ingest-common, no
# mapper-extras, no data streams, no ILM, no painless, no analysis-common. Without the last, the
# security index cannot be created, so only `elastic` (its password is in the keystore) can log in:
# no native users, roles, API keys or reserved-user password changes. GET / answers 405 (no
# rest-root module). Tests must not rely on any of these.

set -euo pipefail

# The instance named as an argument (see Usage), read before the paths that depend on it are fixed.
refuse_arguments() {
  printf 'elasticsearch: %s\n' "$1" >&2
  exit 2
}
INSTANCE_ARGUMENT=""
case "${1:-}" in
  start | stop | status | env)
    (($# <= 2)) || refuse_arguments "'$1' takes at most one argument, the instance name; got: ${*:2}"
    INSTANCE_ARGUMENT="${2:-}"
    ;;
  run)
    # `run NAME -- CMD`: a name only before `--`, so that `run npm test` still runs npm.
    [[ $# -ge 3 && "$2" != "--" && "$3" == "--" ]] && INSTANCE_ARGUMENT="$2"
    ;;
  check)
    (($# <= 1)) || refuse_arguments "'check' takes no argument; got: ${*:2}"
    ;;
  add-user)
    (($# <= 3)) || refuse_arguments "'add-user' takes a user name and a list of roles; got: ${*:2}"
    ;;
esac
if [[ -n "$INSTANCE_ARGUMENT" ]]; then
  [[ -z "${ES_INSTANCE:-}" || "$ES_INSTANCE" == "$INSTANCE_ARGUMENT" ]] ||
    refuse_arguments "the instance is named twice, ES_INSTANCE='$ES_INSTANCE' and '$INSTANCE_ARGUMENT'; name it once"
  ES_INSTANCE="$INSTANCE_ARGUMENT"
fi

readonly SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
readonly PROJECT_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
readonly ES_VERSION="${ES_VERSION:-8.19.21}"
readonly ES_INSTANCE="${ES_INSTANCE:-default}"
readonly ES_HEAP="${ES_HEAP:-512m}"
readonly ES_START_TIMEOUT="${ES_START_TIMEOUT:-180}"
readonly ES_STOP_TIMEOUT="${ES_STOP_TIMEOUT:-60}"
readonly ES_RUN_AS="${ES_RUN_AS:-labes}"
readonly ARTIFACT="org.elasticsearch.distribution.integ-test-zip:elasticsearch:${ES_VERSION}:zip"

readonly STATE_DIR="$PROJECT_DIR/.es"
readonly DIST_PARENT="$STATE_DIR/dist"
readonly DIST_DIR="$DIST_PARENT/elasticsearch-$ES_VERSION"
readonly INSTANCE_DIR="$STATE_DIR/instances/$ES_INSTANCE"
readonly ENV_FILE="$INSTANCE_DIR/env"
readonly PGID_FILE="$INSTANCE_DIR/pgid"
readonly LOG_DIR="$INSTANCE_DIR/logs"
readonly CONSOLE_LOG="$LOG_DIR/console.log"

say() { printf 'elasticsearch[%s]: %s\n' "$ES_INSTANCE" "$*" >&2; }
die() { say "$*"; exit 1; }

usage() {
  sed -n '2,/^$/p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

check_instance_name() {
  [[ "$ES_INSTANCE" =~ ^[A-Za-z0-9_-]+$ ]] ||
    { say "ES_INSTANCE='$ES_INSTANCE' is not allowed: use letters, digits, '-' and '_'"; exit 2; }
}

# ---------------------------------------------------------------------------------------------------
# Locking: the distribution is unpacked once, even when several instances start at the same time.

with_lock() {
  local lock_file="$1"; shift
  mkdir -p "$(dirname "$lock_file")"
  if command -v flock >/dev/null 2>&1; then
    (
      flock -w 600 9 || die "timed out waiting for the lock $lock_file"
      "$@"
    ) 9>"$lock_file"
  else
    # No flock (macOS): mkdir is atomic, so it serves as a lock.
    local waited=0
    until mkdir "$lock_file.d" 2>/dev/null; do
      sleep 1; waited=$((waited + 1))
      ((waited < 600)) || die "timed out waiting for the lock $lock_file.d (remove it if no other run is active)"
    done
    local status=0
    ( "$@" ) || status=$?
    rmdir "$lock_file.d"
    return "$status"
  fi
}

# ---------------------------------------------------------------------------------------------------
# Java

java_major() {
  # `java -version` prints e.g. openjdk version "17.0.15" or "25.0.3"; 1.8 style means 8.
  "$1/bin/java" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9.]*\).*/\1/p' | head -n 1 |
    awk -F. '{ print ($1 == 1) ? $2 : $1 }'
}

# Java 17 first: it is the baseline the 8.x line is built and tested against (8.0 made Java 17 the
# minimum), and it is the distribution's maintained JDK here. Newer JDKs also run 8.19, but 17 keeps the
# test server on the most exercised path. ES_JAVA_HOME overrides.
find_java_home() {
  local candidates=()
  [[ -n "${ES_JAVA_HOME:-}" ]] && candidates+=("$ES_JAVA_HOME")
  [[ -z "${ES_JAVA_HOME:-}" ]] && candidates+=(/usr/lib/jvm/java-17-openjdk-amd64 /usr/lib/jvm/java-17-openjdk-arm64 /usr/lib/jvm/java-17-openjdk)
  [[ -z "${ES_JAVA_HOME:-}" && -n "${JAVA_HOME:-}" ]] && candidates+=("$JAVA_HOME")
  if [[ -z "${ES_JAVA_HOME:-}" ]] && command -v java >/dev/null 2>&1; then
    candidates+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  local home major
  for home in "${candidates[@]}"; do
    [[ -x "$home/bin/java" ]] || continue
    major="$(java_major "$home")"
    if [[ -n "$major" && "$major" -ge 17 ]]; then
      printf '%s\n' "$home"
      return 0
    fi
    say "skipping $home: Java $major, Elasticsearch $ES_VERSION needs Java 17 or newer"
  done
  die "no Java 17+ found (looked at: ${candidates[*]:-nothing}). Install a JDK 17+ or set ES_JAVA_HOME."
}

# ---------------------------------------------------------------------------------------------------
# The distribution: fetched with Maven, unpacked once.

fetch_zip() {
  local repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  local cached="$repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip"
  if [[ ! -f "$cached" ]]; then
    command -v mvn >/dev/null 2>&1 ||
      die "Maven (mvn) is needed to fetch $ARTIFACT; install it, or set ELASTICSEARCH_URL to an Elasticsearch you already run"
    say "fetching $ARTIFACT with Maven (once; cached in $repo)"
    local maven_log="$STATE_DIR/maven.log"
    if ! mvn -B -q dependency:get -Dartifact="$ARTIFACT" -Dtransitive=false "-Dmaven.repo.local=$repo" >"$maven_log" 2>&1; then
      tail -n 30 "$maven_log" >&2
      die "Maven could not fetch $ARTIFACT (full output in $maven_log)"
    fi
  fi
  [[ -f "$cached" ]] || die "Maven reported success but $cached is missing"
  printf '%s\n' "$cached"
}

unpack_distribution() {
  [[ -f "$DIST_DIR/.unpacked" ]] && return 0
  local zip
  zip="$(fetch_zip)"
  local staging="$DIST_PARENT/.staging-$$"
  rm -rf "$staging" "$DIST_DIR"
  mkdir -p "$staging"
  say "unpacking $(basename "$zip") into ${DIST_DIR#"$PROJECT_DIR/"}"
  if command -v unzip >/dev/null 2>&1; then
    unzip -q "$zip" -d "$staging"
  elif command -v python3 >/dev/null 2>&1; then
    python3 -m zipfile -e "$zip" "$staging"
    chmod +x "$staging/elasticsearch-$ES_VERSION"/bin/*
  else
    die "need unzip or python3 to unpack $zip"
  fi
  mv "$staging/elasticsearch-$ES_VERSION" "$DIST_DIR"
  rmdir "$staging"
  # Readable by the unprivileged user that runs the server.
  chmod -R a+rX "$DIST_DIR"
  touch "$DIST_DIR/.unpacked"
}

# ---------------------------------------------------------------------------------------------------
# The user that runs the server

server_user() {
  if [[ "$(id -u)" -ne 0 ]]; then
    id -un
    return
  fi
  if ! id -u "$ES_RUN_AS" >/dev/null 2>&1; then
    say "creating system user '$ES_RUN_AS' to run Elasticsearch (it refuses to run as root)"
    useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ES_RUN_AS" 2>/dev/null ||
      id -u "$ES_RUN_AS" >/dev/null 2>&1 || # another instance created it meanwhile
      die "could not create user '$ES_RUN_AS' (set ES_RUN_AS to an existing non-root user)"
  fi
  printf '%s\n' "$ES_RUN_AS"
}

# ---------------------------------------------------------------------------------------------------
# Instance state

instance_pgid() {
  [[ -f "$PGID_FILE" ]] || return 1
  local pgid
  pgid="$(cat "$PGID_FILE")"
  [[ "$pgid" =~ ^[0-9]+$ ]] || return 1
  kill -0 -- "-$pgid" 2>/dev/null || return 1
  # A stale pgid file (e.g. after a reboot) may name a group that is now something else: only a group
  # running from this checkout's .es/ is ours to report or to stop.
  ps -eo pgid=,args= 2>/dev/null | awk -v group="$pgid" -v dir="$STATE_DIR/" '$1 == group && index($0, dir) { found = 1 } END { exit !found }' ||
    return 1
  printf '%s\n' "$pgid"
}

read_env_var() {
  sed -n "s/^export $1='\\(.*\\)'\$/\\1/p" "$ENV_FILE"
}

# curl with the elastic credentials from a config on stdin, so the password never shows in `ps`.
curl_as_elastic() {
  local password="$1"; shift
  printf 'user = "elastic:%s"\n' "$password" | curl -K - -sS --max-time 10 "$@"
}

print_log_tail() {
  say "last lines of its log:"
  local file
  for file in "$LOG_DIR/lab-test-$ES_INSTANCE.log" "$CONSOLE_LOG"; do
    if [[ -s "$file" ]]; then
      printf -- '----- %s -----\n' "${file#"$PROJECT_DIR/"}" >&2
      tail -n 40 "$file" >&2
    fi
  done
}

# Start-up failed: show why, leave nothing running, and give the files back.
fail_start() {
  print_log_tail
  stop_instance >/dev/null 2>&1 || true
  restore_ownership
  die "$1"
}

# ---------------------------------------------------------------------------------------------------
# Commands

write_config() {
  local config_dir="$1"
  cp -R "$DIST_DIR/config/." "$config_dir/"
  cat >"$config_dir/elasticsearch.yml" <<YAML
# Written by test/support/elasticsearch.sh for instance '$ES_INSTANCE'. Regenerated on every start.
cluster.name: lab-test-$ES_INSTANCE
node.name: lab-test-$ES_INSTANCE
path.data: $INSTANCE_DIR/data
path.logs: $LOG_DIR
discovery.type: single-node
# Loopback only; port 0 lets the OS pick, and node.portsfile tells us which it picked.
network.host: 127.0.0.1
http.port: 0
transport.port: 0
node.portsfile: true
# Security on, as in the lab. HTTP TLS is off: the server is only reachable from this machine.
xpack.security.enabled: true
xpack.security.http.ssl.enabled: false
xpack.security.transport.ssl.enabled: false
xpack.security.enrollment.enabled: false
# Test machines have small, full disks; don't let the watermarks turn indices read-only.
cluster.routing.allocation.disk.threshold_enabled: false
# Tests delete the indices they create by name; wildcards stay refused like on a real cluster.
action.destructive_requires_name: true
YAML
  mkdir -p "$config_dir/jvm.options.d"
  printf -- '-Xms%s\n-Xmx%s\n' "$ES_HEAP" "$ES_HEAP" >"$config_dir/jvm.options.d/heap.options"
}

# One start at a time per instance, so that a second `start` or `run` waits for the first and then
# finds it running, rather than racing it.
start_instance() {
  mkdir -p "$STATE_DIR/instances"
  with_lock "$STATE_DIR/instances/.$ES_INSTANCE.lock" start_instance_unlocked
}

start_instance_unlocked() {
  local pgid
  if pgid="$(instance_pgid)"; then
    say "already running (process group $pgid): $(read_env_var ELASTICSEARCH_URL)"
    printf '%s\n' "$ENV_FILE"
    return 0
  fi

  local java_home user password
  java_home="$(find_java_home)"
  with_lock "$STATE_DIR/dist.lock" unpack_distribution
  user="$(server_user)"
  password="$(od -An -N18 -tx1 /dev/urandom | tr -d ' \n')"

  # Fresh data on every start: tests expect an empty server, and bootstrap.password only applies to a
  # cluster whose security index does not exist yet.
  rm -rf "$INSTANCE_DIR"
  mkdir -p "$INSTANCE_DIR/config" "$INSTANCE_DIR/data" "$LOG_DIR" "$INSTANCE_DIR/tmp"
  write_config "$INSTANCE_DIR/config"

  local -a server_env=(
    "ES_JAVA_HOME=$java_home"
    "ES_PATH_CONF=$INSTANCE_DIR/config"
    "ES_TMPDIR=$INSTANCE_DIR/tmp"
    "ES_JAVA_OPTS=${ES_JAVA_OPTS:-}"
  )
  env "${server_env[@]}" "$DIST_DIR/bin/elasticsearch-keystore" create >/dev/null 2>"$LOG_DIR/keystore.log" ||
    { cat "$LOG_DIR/keystore.log" >&2; die "could not create the keystore"; }
  printf '%s' "$password" | env "${server_env[@]}" "$DIST_DIR/bin/elasticsearch-keystore" add -x bootstrap.password >/dev/null 2>>"$LOG_DIR/keystore.log" ||
    { cat "$LOG_DIR/keystore.log" >&2; die "could not store the bootstrap password"; }

  chmod 700 "$INSTANCE_DIR" # the keystore and data hold the password hash; nobody else needs them
  if [[ "$(id -u)" -eq 0 ]]; then
    chown -R "$user:$(id -g "$user")" "$INSTANCE_DIR"
  fi

  say "starting Elasticsearch $ES_VERSION as '$user' with $(basename "$java_home") (heap $ES_HEAP)"
  local -a as_user=()
  if [[ "$(id -u)" -eq 0 ]]; then
    if command -v setpriv >/dev/null 2>&1; then
      # setpriv execs in place: no extra root process stays in the group.
      as_user=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --init-groups --)
    else
      as_user=(runuser -u "$user" --)
    fi
    # A checkout under a private directory (e.g. /root) is out of the server user's reach; say so
    # instead of letting Elasticsearch fail with a stack trace.
    if ! "${as_user[@]}" test -x "$DIST_DIR/bin/elasticsearch" -a -w "$INSTANCE_DIR/data" 2>/dev/null; then
      restore_ownership
      die "user '$user' cannot reach $PROJECT_DIR: every parent directory must be searchable by others (chmod o+x), or clone the project elsewhere"
    fi
  fi
  # ${a[@]+"${a[@]}"}: an empty array under `set -u` in bash 3.2 (macOS).
  local -a launch=(${as_user[@]+"${as_user[@]}"} env "${server_env[@]}" "$DIST_DIR/bin/elasticsearch")
  # Own session, so that stop can signal the whole process group (the CLI launcher and the server JVM)
  # and nothing is left behind. The session leader writes its pid, which is the group id.
  (
    cd "$LOG_DIR"
    if command -v setsid >/dev/null 2>&1; then
      exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$PGID_FILE.tmp" "${launch[@]}"
    fi
    # macOS has no setsid(1); perl's POSIX::setsid does the same.
    exec perl -MPOSIX -e 'POSIX::setsid() or die "setsid: $!"; exec("bash", "-c", q{echo $$ >"$0"; exec "$@"}, @ARGV) or die "exec: $!"' \
      "$PGID_FILE.tmp" "${launch[@]}"
  ) </dev/null >"$CONSOLE_LOG" 2>&1 9>&- &  # 9: the start lock, which the server must not inherit
  local launcher=$!
  local waited=0
  until [[ -s "$PGID_FILE.tmp" ]]; do
    sleep 0.1; waited=$((waited + 1))
    ((waited < 100)) || { wait "$launcher" || true; fail_start "the server process did not start"; }
  done
  mv "$PGID_FILE.tmp" "$PGID_FILE"
  pgid="$(cat "$PGID_FILE")"

  local port="" deadline=$((SECONDS + ES_START_TIMEOUT)) health=""
  while ((SECONDS < deadline)); do
    if ! kill -0 -- "-$pgid" 2>/dev/null; then
      fail_start "Elasticsearch exited during start-up"
    fi
    if [[ -z "$port" && -s "$LOG_DIR/http.ports" ]]; then
      port="$(sed -n 's/^127\.0\.0\.1:\([0-9]*\)$/\1/p' "$LOG_DIR/http.ports" | head -n 1)"
    fi
    if [[ -n "$port" ]]; then
      health="$(curl_as_elastic "$password" "http://127.0.0.1:$port/_cluster/health?wait_for_status=yellow&timeout=5s" 2>/dev/null || true)"
      if [[ "$health" == *'"status":"green"'* || "$health" == *'"status":"yellow"'* ]]; then
        break
      fi
    fi
    sleep 1
  done
  if [[ "$health" != *'"status":"green"'* && "$health" != *'"status":"yellow"'* ]]; then
    say "last health answer: ${health:-none}"
    fail_start "Elasticsearch was not healthy within ${ES_START_TIMEOUT}s (ES_START_TIMEOUT)"
  fi

  # The env file is owned by whoever ran start and readable only by them: it holds the password.
  local url="http://127.0.0.1:$port"
  (
    umask 077
    cat >"$ENV_FILE" <<ENV
export ELASTICSEARCH_URL='$url'
export ELASTICSEARCH_USERNAME='elastic'
export ELASTICSEARCH_PASSWORD='$password'
export LAB_ES_INSTANCE='$ES_INSTANCE'
ENV
  )
  say "ready at $url after ${SECONDS}s (status $(sed -n 's/.*"status":"\([a-z]*\)".*/\1/p' <<<"$health")); variables in:"
  printf '%s\n' "$ENV_FILE"
}

stop_instance() {
  local pgid
  if ! pgid="$(instance_pgid)"; then
    say "not running"
    restore_ownership
    return 0
  fi
  say "stopping (process group $pgid)"
  kill -TERM -- "-$pgid" 2>/dev/null || true
  local deadline=$((SECONDS + ES_STOP_TIMEOUT))
  while kill -0 -- "-$pgid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "still running after ${ES_STOP_TIMEOUT}s; killing it"
      kill -KILL -- "-$pgid" 2>/dev/null || true
      sleep 1
      break
    fi
    sleep 0.2
  done
  kill -0 -- "-$pgid" 2>/dev/null && die "process group $pgid is still alive"
  rm -f "$PGID_FILE" "$ENV_FILE"
  restore_ownership
  say "stopped"
}

# Give the instance's files back to whoever runs this script, so that they can be read and removed.
restore_ownership() {
  if [[ "$(id -u)" -eq 0 && -d "$INSTANCE_DIR" ]]; then
    chown -R "$(id -u):$(id -g)" "$INSTANCE_DIR"
  fi
}

status_instance() {
  local pgid
  if pgid="$(instance_pgid)" && [[ -f "$ENV_FILE" ]]; then
    printf 'running %s (process group %s)\n' "$(read_env_var ELASTICSEARCH_URL)" "$pgid"
    return 0
  fi
  printf 'stopped\n'
  return 3
}

env_instance() {
  instance_pgid >/dev/null && [[ -f "$ENV_FILE" ]] ||
    die "not running; start it with: ES_INSTANCE=$ES_INSTANCE bash ${BASH_SOURCE[0]} start"
  cat "$ENV_FILE"
}

# The native realm needs the security index, which this distribution cannot create (see the header),
# so extra users go in the file realm. Elasticsearch re-reads its users file every 5 s.
add_file_user() {
  local name="${1:-}" roles="${2:-}"
  [[ "$name" =~ ^[A-Za-z0-9_.-]+$ && "$roles" =~ ^[A-Za-z0-9_,.-]+$ ]] ||
    { say "add-user needs a user name and a comma-separated list of roles, e.g. add-user reader viewer"; exit 2; }
  local pgid
  pgid="$(instance_pgid)" || die "not running; start it first"
  local java_home user password url
  java_home="$(find_java_home)"
  user="$(stat -c %U "$INSTANCE_DIR/config" 2>/dev/null || stat -f %Su "$INSTANCE_DIR/config")"
  password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"
  local -a as_owner=()
  [[ "$(id -u)" -eq 0 && "$user" != root ]] && as_owner=(setpriv "--reuid=$user" "--regid=$(id -g "$user")" --init-groups --)
  printf '%s\n%s\n' "$password" "$password" |
    ${as_owner[@]+"${as_owner[@]}"} env "ES_JAVA_HOME=$java_home" "ES_PATH_CONF=$INSTANCE_DIR/config" \
      "$DIST_DIR/bin/elasticsearch-users" useradd "$name" -r "$roles" >/dev/null 2>"$LOG_DIR/users.log" ||
    { cat "$LOG_DIR/users.log" >&2; die "could not add user '$name'"; }
  url="$(read_env_var ELASTICSEARCH_URL)"
  local waited=0
  until curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -K - "$url/_security/_authenticate" <<<"user = \"$name:$password\"" 2>/dev/null | grep -q 200; do
    sleep 1; waited=$((waited + 1))
    ((waited < 30)) || die "user '$name' was written but Elasticsearch did not accept it within 30 s"
  done
  say "added file-realm user '$name' with roles $roles"
  printf '%s\n' "$password"
}

check_prerequisites() {
  local java_home
  java_home="$(find_java_home)"
  local repo="${MAVEN_REPO_LOCAL:-$HOME/.m2/repository}"
  if [[ -f "$DIST_DIR/.unpacked" ]]; then
    say "can start: Java $(java_major "$java_home") at $java_home, distribution unpacked in ${DIST_DIR#"$PROJECT_DIR/"}"
  elif [[ -f "$repo/org/elasticsearch/distribution/integ-test-zip/elasticsearch/$ES_VERSION/elasticsearch-$ES_VERSION.zip" ]]; then
    say "can start: Java $(java_major "$java_home") at $java_home, $ARTIFACT cached in $repo"
  elif command -v mvn >/dev/null 2>&1; then
    say "can start: Java $(java_major "$java_home") at $java_home, Maven will fetch $ARTIFACT"
  else
    die "cannot start: $ARTIFACT is not in $repo and Maven (mvn) is not installed to fetch it"
  fi
}

run_with_instance() {
  [[ "${1:-}" == "--" ]] && shift
  (($# > 0)) || { say "run needs a command: run -- npm test"; exit 2; }
  local started_here=0
  if ! instance_pgid >/dev/null; then
    started_here=1
    # Stop on any exit, including a failed start, Ctrl-C or a failing command.
    trap 'stop_instance' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
  fi
  start_instance >/dev/null
  # shellcheck disable=SC1090
  source "$ENV_FILE"
  local status=0
  "$@" || status=$?
  ((started_here)) || say "left running: it was already running before 'run'"
  return "$status"
}

main() {
  check_instance_name
  case "${1:-}" in
    start) start_instance ;;
    stop) stop_instance ;;
    status) status_instance ;;
    env) env_instance ;;
    check) check_prerequisites ;;
    add-user) shift; add_file_user "$@" ;;
    run)
      shift
      [[ -n "$INSTANCE_ARGUMENT" ]] && shift
      run_with_instance "$@"
      ;;
    *) usage ;;
  esac
}

main "$@"

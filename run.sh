#!/usr/bin/env bash
# The one command to run Ticketing on this machine (no Docker): checks the .NET SDK, installs nats-server and
# redis-server with apt-get when they are missing, builds, and starts dev/Ticketing.AppHost (.NET Aspire) in the
# foreground. It prints "Ticketing is up: http://localhost:8080 ..." once the gateway answers and every service is
# ready. Ctrl-C (or SIGTERM) stops every process it started. Data lives in .data/ (never committed).
#
#   ./run.sh            start (or continue with the data of the last run)
#   ./run.sh --reset    wipe .data/ first (users, tickets, orders, the event stream, the local JWT key)
#
# Settings (environment): TICKETING_PORT (8080), TICKETING_DASHBOARD_PORT (15080; +1 OTLP, +2 resource service),
# TICKETING_DATA_DIR (.data), and passed through to the services: ORDER_EXPIRATION_WINDOW_SECONDS, STRIPE_KEY,
# STRIPE_PUBLISHABLE_KEY, MONGO_URI, JWT_KEY, COOKIE_SECURE, AUTH_RATE_LIMIT. See dev/README.md.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
DATA=${TICKETING_DATA_DIR:-$ROOT/.data}
PORT=${TICKETING_PORT:-8080}
DASHBOARD_PORT=${TICKETING_DASHBOARD_PORT:-15080}
APPHOST_PROJECT=dev/Ticketing.AppHost/Ticketing.AppHost.csproj
APPHOST_DLL=dev/Ticketing.AppHost/bin/Release/net10.0/Ticketing.AppHost.dll
UP_TIMEOUT=${TICKETING_UP_TIMEOUT:-300}

say() { echo "run.sh: $*"; }
fail() { echo "run.sh: $*" >&2; exit 1; }

reset=0
for arg in "$@"; do
  case "$arg" in
    --reset) reset=1 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) fail "unknown option '$arg' (use --reset or --help)" ;;
  esac
done

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

# --- one run at a time per data folder (a lock held for the whole run; children do not inherit it) ----------
mkdir -p "$DATA" || fail "cannot create $DATA"
LOCK=$DATA/run.lock
if command -v flock >/dev/null 2>&1; then
  exec 9<>"$LOCK"
  if ! flock -n 9; then
    fail "Ticketing is already running from this folder (run.sh pid $(cat "$LOCK" 2>/dev/null)). Stop it first (Ctrl-C there, or kill $(cat "$LOCK" 2>/dev/null))."
  fi
  echo $$ > "$LOCK"
fi
if [ "$reset" = 1 ]; then
  find "$DATA" -mindepth 1 -maxdepth 1 ! -name run.lock -exec rm -rf {} + || fail "could not wipe $DATA"
  say "wiped $DATA"
fi

# --- 1. the .NET SDK ---------------------------------------------------------------------------------------
if ! command -v dotnet >/dev/null 2>&1; then
  fail "the .NET 10 SDK is required and 'dotnet' is not on PATH. Install it: https://dotnet.microsoft.com/download/dotnet/10.0 (Debian/Ubuntu: sudo apt-get install -y dotnet-sdk-10.0 from Microsoft's package feed)."
fi
if ! dotnet --list-sdks 2>/dev/null | grep -Eq '^(1[0-9]|[2-9][0-9])\.'; then
  fail "the .NET 10 SDK (or newer) is required; this machine has: $(dotnet --list-sdks 2>/dev/null | cut -d' ' -f1 | tr '\n' ' '). Install it: https://dotnet.microsoft.com/download/dotnet/10.0"
fi

# --- 2. nats-server and redis-server (Debian installs them to /usr/sbin and /usr/bin) ------------------------
find_program() {
  local p
  p=$(command -v "$1" 2>/dev/null) && { echo "$p"; return 0; }
  for dir in /usr/sbin /usr/local/sbin /usr/bin /usr/local/bin; do
    [ -x "$dir/$1" ] && { echo "$dir/$1"; return 0; }
  done
  return 1
}
missing=()
find_program nats-server >/dev/null || missing+=(nats-server)
find_program redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  install_hint="sudo apt-get update && sudo apt-get install -y ${missing[*]}"
  command -v apt-get >/dev/null 2>&1 || fail "missing: ${missing[*]}. Install them with your package manager (Debian/Ubuntu: $install_hint), then run ./run.sh again."
  SUDO=()
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && { sudo -n true 2>/dev/null || [ -t 0 ]; }; then
      SUDO=(sudo)
      say "installing ${missing[*]} with sudo apt-get (sudo may ask for your password) ..."
    else
      fail "missing: ${missing[*]}, and this user cannot install packages. Ask an administrator to run: $install_hint"
    fi
  else
    say "installing ${missing[*]} with apt-get ..."
  fi
  if ! { "${SUDO[@]}" apt-get update -qq && DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    fail "apt-get could not install ${missing[*]}. Install them yourself ($install_hint) and run ./run.sh again."
  fi
fi
NATS_SERVER_PATH=$(find_program nats-server) || fail "nats-server is still missing"
REDIS_SERVER_PATH=$(find_program redis-server) || fail "redis-server is still missing"
export NATS_SERVER_PATH REDIS_SERVER_PATH

# --- 3. the fixed ports must be free ------------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
if port_busy "$PORT"; then
  fail "port $PORT is in use by another program. Stop it, or choose another port: TICKETING_PORT=8081 ./run.sh"
fi
for p in "$DASHBOARD_PORT" $((DASHBOARD_PORT + 1)) $((DASHBOARD_PORT + 2)); do
  port_busy "$p" && fail "port $p (dashboard) is in use. Stop that program, or choose other ports: TICKETING_DASHBOARD_PORT=16080 ./run.sh"
done

# --- 4. build -----------------------------------------------------------------------------------------------
script_started=$(date +%s)
BUILD_LOG=$DATA/build.log
say "building (the first build restores packages and takes a minute or two) ..."
# No build servers (MSBuild nodes, the compiler server): nothing of this run outlives it; costs ~1 s here.
if ! dotnet build "$APPHOST_PROJECT" -c Release -nologo -v minimal --disable-build-servers >"$BUILD_LOG" 2>&1; then
  grep -E ': (error|warning) ' "$BUILD_LOG" | sort -u | head -n 40 >&2
  fail "the build failed (the errors above; the whole output is in $BUILD_LOG)."
fi

# --- 5. start the AppHost -----------------------------------------------------------------------------------
LOG=$DATA/apphost.log
export TICKETING_DATA_DIR=$DATA TICKETING_PORT=$PORT
export DOTNET_ENVIRONMENT=Development
export ASPNETCORE_URLS="http://localhost:$DASHBOARD_PORT"
export ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL="http://localhost:$((DASHBOARD_PORT + 1))"
export ASPIRE_RESOURCE_SERVICE_ENDPOINT_URL="http://localhost:$((DASHBOARD_PORT + 2))"
export ASPIRE_ALLOW_UNSECURED_TRANSPORT=true
export ASPIRE_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true DOTNET_DASHBOARD_UNSECURED_ALLOW_ANONYMOUS=true

APPHOST=""
stopping=0
stop() {
  [ "$stopping" = 1 ] && return
  stopping=1
  say "stopping ..."
  if [ -n "$APPHOST" ]; then
    kill -TERM "$APPHOST" 2>/dev/null
    for _ in $(seq 1 150); do kill -0 "$APPHOST" 2>/dev/null || break; sleep 0.2; done
    if kill -0 "$APPHOST" 2>/dev/null; then
      say "the AppHost did not stop within 30 s; killing it"
      kill -KILL -- "-$APPHOST" 2>/dev/null || kill -KILL "$APPHOST" 2>/dev/null
    fi
    wait "$APPHOST" 2>/dev/null
  fi
  # DCP (the orchestrator) watches the AppHost and removes what is left; give it a moment, then make sure.
  leftovers=""
  for _ in $(seq 1 100); do
    leftovers=$(own_processes)
    [ -z "$leftovers" ] && break
    sleep 0.2
  done
  if [ -n "$leftovers" ]; then
    say "killing processes left behind: $leftovers"
    # shellcheck disable=SC2086
    kill -KILL $leftovers 2>/dev/null
  fi
  say "stopped."
}

# Every process this run started carries TICKETING_PARENT_PID=<this script's pid> in its environment (DCP and the
# processes it starts inherit the AppHost's environment).
own_processes() {
  local pid found=""
  for dir in /proc/[0-9]*; do
    pid=${dir#/proc/}
    [ "$pid" = $$ ] && continue
    if { tr '\0' '\n' < "$dir/environ"; } 2>/dev/null | grep -qx "TICKETING_PARENT_PID=$$"; then
      found="$found $pid"
    fi
  done
  echo "${found# }"
}

trap 'echo; stop; exit 130' INT
trap 'stop; exit 143' TERM HUP

# Its own session: Ctrl-C reaches only this script, which stops the AppHost with SIGTERM (SIGINT is unreliable
# for a background .NET process); the AppHost then stops DCP and every process DCP started, and waits for them.
# TICKETING_PARENT_PID (only in the AppHost's environment, not this script's) lets the AppHost stop if this script
# is killed outright, and lets stop() below find anything of this run still alive.
TICKETING_PARENT_PID=$$ setsid dotnet "$APPHOST_DLL" >"$LOG" 2>&1 9>&- &
APPHOST=$!

# --- 6. wait until the gateway says every service is ready -------------------------------------------------
health_status() {
  # Prints the HTTP status of GET /health on the gateway (no curl needed).
  local line=""
  if exec 3<>"/dev/tcp/127.0.0.1/$PORT"; then
    printf 'GET /health HTTP/1.0\r\nHost: localhost:%s\r\nConnection: close\r\n\r\n' "$PORT" >&3
    IFS= read -r -t 5 line <&3
    exec 3<&- 3>&-
  fi 2>/dev/null
  echo "$line" | cut -d' ' -f2
}
started=$(date +%s)
warned=0
while :; do
  if ! kill -0 "$APPHOST" 2>/dev/null; then
    wait "$APPHOST"; rc=$?
    echo "run.sh: the AppHost exited (code $rc) before Ticketing was up. Its log ($LOG) ends with:" >&2
    tail -n 30 "$LOG" >&2
    stop
    exit 1
  fi
  if [ "$(health_status)" = 200 ]; then
    break
  fi
  if [ $(( $(date +%s) - started )) -ge "$UP_TIMEOUT" ] && [ "$warned" = 0 ]; then
    warned=1
    say "not every service is ready after ${UP_TIMEOUT} s; see http://localhost:$PORT/health and the dashboard (http://localhost:$DASHBOARD_PORT). Still waiting; Ctrl-C stops."
  fi
  sleep 0.3
done

echo "Ticketing is up: http://localhost:$PORT  (dashboard: http://localhost:$DASHBOARD_PORT)"
say "build $(( started - script_started )) s, start $(( $(date +%s) - started )) s; data in $DATA; Ctrl-C stops everything."

# --- 7. stay in the foreground until Ctrl-C / SIGTERM, or until the AppHost stops by itself ------------------
rc=0
while kill -0 "$APPHOST" 2>/dev/null; do
  wait "$APPHOST" 2>/dev/null; rc=$?
done
say "the AppHost exited by itself (code $rc); the end of its log ($LOG):"
tail -n 20 "$LOG"
stop
exit 1

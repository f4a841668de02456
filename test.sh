#!/usr/bin/env bash
# The one test command (CI runs it through .ci/run on a fresh machine):
#   1. installs what the tests need and is missing (nats-server, redis-server, shellcheck; chromium once browser tests exist),
#   2. builds the whole solution once,
#   3. runs every test project (*.Tests.csproj) against real servers the tests start themselves,
#   4. prints each skipped test's reason and, as its last line, "N passed, N failed, N skipped".
# Exits non-zero when anything fails. Options: --filter <expr> is passed to every `dotnet test`.
set -uo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
RESULTS="$ROOT/artifacts/test-results"
FILTER=()
if [ "${1:-}" = "--filter" ] && [ -n "${2:-}" ]; then FILTER=(--filter "$2"); fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

# --- 1. prerequisites -------------------------------------------------------------------------------
have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/sbin/$1" ] || [ -x "/usr/bin/$1" ]; }
missing=()
have nats-server || missing+=(nats-server)
have redis-server || missing+=(redis-server)
if [ -d infra/tests ]; then
  have shellcheck || missing+=(shellcheck)   # the infra tests lint infra/*.sh
fi
if grep -rlq --include='*.csproj' 'Microsoft.Playwright' . 2>/dev/null; then
  have chromium || missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} with apt-get ..."
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then SUDO=sudo; else
      echo "Missing: ${missing[*]}. Install them with: sudo apt-get install -y ${missing[*]}" >&2
      summary 0 1 0; exit 1
    fi
  fi
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }; then
    echo "apt-get could not install ${missing[*]}" >&2
    summary 0 1 0; exit 1
  fi
fi
if ! command -v dotnet >/dev/null 2>&1; then
  echo "The .NET 10 SDK is required (https://dotnet.microsoft.com/download)." >&2
  summary 0 1 0; exit 1
fi

# --- 2. build once ----------------------------------------------------------------------------------
echo "Building Ticketing.slnx (Release) ..."
if ! dotnet build Ticketing.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "The build failed." >&2
  summary 0 1 0; exit 1
fi

# --- 3. run every test project ----------------------------------------------------------------------
rm -rf "$RESULTS"; mkdir -p "$RESULTS"
mapfile -t projects < <(find . -name '*.Tests.csproj' -not -path './artifacts/*' -not -path '*/bin/*' -not -path '*/obj/*' | sort)
crashed=0
for project in "${projects[@]}"; do
  name=$(basename "$project" .csproj)
  echo "=== $name"
  started=$(date +%s)
  timeout --kill-after=30 1500 dotnet test "$project" -c Release --no-build --nologo "${FILTER[@]}" \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$RESULTS" --blame-hang-timeout 5m
  rc=$?
  echo "    ($name: exit $rc, $(( $(date +%s) - started )) s)"
  if [ ! -f "$RESULTS/$name.trx" ]; then
    echo "    $name produced no results (crashed or timed out): counted as 1 failure" >&2
    crashed=$((crashed + 1))
  fi
done

# --- 4. summary -------------------------------------------------------------------------------------
count() { cat "$RESULTS"/*.trx 2>/dev/null | grep -o "<UnitTestResult [^>]*outcome=\"$1\"" | wc -l; }
passed=$(count Passed); failed=$(( $(count Failed) + crashed )); skipped=$(count NotExecuted)
if [ "$skipped" -gt 0 ]; then
  echo
  echo "Skipped tests, by reason:"
  cat "$RESULTS"/*.trx | awk '/outcome="NotExecuted"/ { want = 1 } want && /<Message>/ { sub(/.*<Message>/, ""); sub(/<\/Message>.*/, ""); print; want = 0 }' \
    | sort | uniq -c | sed 's/^ */  /'
fi
if [ "$failed" -gt 0 ]; then
  echo
  echo "Failed tests:"
  cat "$RESULTS"/*.trx 2>/dev/null | grep -o '<UnitTestResult [^>]*outcome="Failed"' | sed 's/.*testName="\([^"]*\)".*/  \1/' | sed 's/&quot;/"/g'
fi
echo
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

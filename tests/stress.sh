#!/usr/bin/env bash
# Run the whole test suite N times in a row and report every failure with its test id.
#
#   tests/stress.sh N [--load] [pytest args...]
#
# --load keeps one core busy (stress-ng when installed, otherwise a shell busy loop) during
# every run, as a busy CI box would. Each run's output is kept in $STRESS_DIR (default a new
# temporary folder); the summary at the end lists each run's result and time and every
# failed or errored test id with the runs it failed in. Exit status: 0 only if all N runs
# passed. Uses the same .venv and environment (TEST_DATABASE_URL, TEST_REDIS_URL, ...) as
# README's test command; run that command once first to create .venv.
set -uo pipefail
cd "$(dirname "$0")/.."

runs="${1:-}"
if ! [[ "$runs" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: tests/stress.sh N [--load] [pytest args...]" >&2
  exit 2
fi
shift
load=no
if [ "${1:-}" = "--load" ]; then
  load=yes
  shift
fi
python=.venv/bin/python
if [ ! -x "$python" ]; then
  echo "stress: no .venv here; run README's test command once first" >&2
  exit 2
fi
out="${STRESS_DIR:-$(mktemp -d -t rizeos-stress-XXXXXX)}"
mkdir -p "$out"

hog_pid=""
stop_hog() {
  if [ -n "$hog_pid" ]; then
    kill "$hog_pid" 2>/dev/null
    wait "$hog_pid" 2>/dev/null
    hog_pid=""
  fi
}
start_hog() {
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu 1 --quiet &
  else
    (while :; do :; done) &
  fi
  hog_pid=$!
}
trap 'stop_hog' EXIT
trap 'stop_hog; exit 130' INT TERM

failed_runs=0
summary="$out/summary.txt"
: >"$summary"
for i in $(seq 1 "$runs"); do
  [ "$load" = yes ] && start_hog
  log="$out/run-$i.log"
  start=$(date +%s)
  "$python" -m pytest "$@" >"$log" 2>&1
  status=$?
  seconds=$(($(date +%s) - start))
  stop_hog
  result=$(grep -E '^=+ .*(passed|failed|error).* in [0-9.]+s' "$log" | tail -1 | tr -d '=' | xargs)
  line="run $i/$runs (load: $load): exit $status in ${seconds}s: ${result:-no summary line}"
  echo "$line" | tee -a "$summary"
  if [ "$status" -ne 0 ]; then
    failed_runs=$((failed_runs + 1))
    grep -E '^(FAILED|ERROR) ' "$log" | sed "s/^/  run $i: /" | tee -a "$summary"
  fi
done

echo
echo "stress: $((runs - failed_runs)) of $runs runs passed; logs in $out"
if [ "$failed_runs" -gt 0 ]; then
  echo "failing test ids (with how many runs each failed in):"
  grep -E '^  run [0-9]+: (FAILED|ERROR) ' "$summary" | sed -E 's/^  run [0-9]+: (FAILED|ERROR) ([^ ]+).*/\2/' |
    sort | uniq -c | sort -rn
  exit 1
fi

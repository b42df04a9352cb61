#!/usr/bin/env bash
# Fault storm: `pdrs get /users --all` against pdrs-mock injecting 5xx answers, connection
# resets and bodies cut short; every run must print every user exactly once, in order.
#
#   ./scripts/fault-storm.sh [RUNS]        (default 50 runs per mode; release binaries)
#
# PDRS and PDRS_MOCK name other binaries (the test suite passes its debug builds).
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-50}
users=${USERS:-10000}
if [ -z "${PDRS:-}" ] || [ -z "${PDRS_MOCK:-}" ]; then
  cargo build --release -p pdrs-cli --bins -q
  PDRS=target/release/pdrs
  PDRS_MOCK=target/release/pdrs-mock
fi
tmp=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Starts a mock with the given flags; sets $url to its address.
start_mock() {
  local log="$tmp/mock-${#pids[@]}.log"
  # Many runs on one key: PagerDuty's rate limit is not what this tests.
  "$PDRS_MOCK" --port 0 --users "$users" --incidents 0 --rate-limit 0 "$@" >/dev/null 2>"$log" &
  pids+=($!)
  url=""
  for _ in $(seq 400); do
    url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
    [ -n "$url" ] && return
    sleep 0.05
  done
  echo "pdrs-mock did not start: $(cat "$log")" >&2
  exit 1
}

export PAGERDUTY_API_KEY=storm-token
start_mock
clean=$url
start_mock --error-rate 0.2 --reset-rate 0.05 --truncate-rate 0.05
storm=$url
# Records carry their server's URL in `self`: compare with it replaced.
PAGERDUTY_API_URL=$clean "$PDRS" get /users --all | sed "s#$clean#MOCK#g" > "$tmp/reference"
expected=$(wc -l < "$tmp/reference")
[ "$expected" -eq "$users" ] || { echo "reference run printed $expected users, not $users" >&2; exit 1; }

failed=0
for concurrency in 1 8; do
  exact=0
  for i in $(seq "$runs"); do
    if PAGERDUTY_API_URL=$storm "$PDRS" get /users --all --concurrency "$concurrency" --retry-base-ms 5 \
        > "$tmp/raw" 2> "$tmp/err" && sed "s#$storm#MOCK#g" "$tmp/raw" > "$tmp/out" && cmp -s "$tmp/out" "$tmp/reference"; then
      exact=$((exact + 1))
    else
      echo "run $i (concurrency $concurrency): $(wc -l < "$tmp/raw") lines; $(head -c 300 "$tmp/err")" >&2
    fi
  done
  echo "fault storm, --concurrency $concurrency: $exact of $runs runs printed all $users users exactly once, in order"
  [ "$exact" -eq "$runs" ] || failed=1
done
exit "$failed"

#!/usr/bin/env bash
# Pacing by the server's budget: 8 tasks each listing 5,000 users through one client against
# `pdrs-mock --rate-limit 120` (120 requests a minute per API key), paced by the ratelimit-*
# headers and not; prints the 429s and the time of each against the time the budget allows.
# About seven minutes (each run needs four windows of a minute).
#
#   ./scripts/bench-pacing.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p pdrs-cli --bin pdrs-mock -q
log=$(mktemp)
./target/release/pdrs-mock --port 0 --users 5000 --incidents 0 --rate-limit 120 >/dev/null 2>"$log" &
mock=$!
trap 'kill $mock 2>/dev/null; rm -f "$log"' EXIT
url=""
for _ in $(seq 400); do
  url=$(grep -o 'http://127.0.0.1:[0-9]*' "$log" | head -1 || true)
  [ -n "$url" ] && break
  sleep 0.05
done
[ -n "$url" ] || { echo "pdrs-mock did not start: $(cat "$log")" >&2; exit 1; }
PDRS_MOCK_URL=$url cargo bench --bench pacing --features mock

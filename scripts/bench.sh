#!/usr/bin/env bash
# Benchmarks: paging throughput and memory, the CLI over 10,000 users, and the mock's throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p pdrs-cli --bins
echo "== cargo bench --bench paging"
cargo bench --bench paging
echo "== cargo bench --bench mock --features mock"
cargo bench --bench mock --features mock
echo "== pdrs get /users --all over 10,000 users from pdrs-mock"
port=18089
./target/release/pdrs-mock --port "$port" --users 10000 --incidents 0 --rate-limit 0 2>/dev/null &
mock=$!
trap 'kill $mock 2>/dev/null' EXIT
for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
export PAGERDUTY_API_KEY=bench PAGERDUTY_API_URL="http://127.0.0.1:$port"
for c in 1 8; do
  start=$(date +%s.%N)
  lines=$(./target/release/pdrs get /users --all --concurrency "$c" | wc -l)
  end=$(date +%s.%N)
  printf 'pdrs get /users --all --concurrency %s: %s lines in %.3f s\n' "$c" "$lines" "$(echo "$end - $start" | bc)"
done
echo "== pdrs-mock throughput from an external client (wrk, if installed): GET /users?limit=100, default seed"
if command -v wrk >/dev/null; then
  # The first server must be gone before the second binds the port.
  kill $mock 2>/dev/null || true
  wait $mock 2>/dev/null || true
  ./target/release/pdrs-mock --port "$port" --rate-limit 0 2>/dev/null &
  mock=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$port/" 2>/dev/null && break; sleep 0.1; done
  wrk -t2 -c16 -d10s -H "Authorization: Token token=bench" "http://127.0.0.1:$port/users?limit=100" | grep -E "Requests/sec|Latency"
else
  echo "wrk is not installed (apt-get install wrk); skipped"
fi

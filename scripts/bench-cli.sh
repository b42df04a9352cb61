#!/usr/bin/env bash
# The whole `pdrs` process against pdpyras on the same pages: `pdrs get /users --all` over 10,000
# users (100 pages of 100 users, about 110 KB each), time (hyperfine) and peak RSS (GNU time).
# The pages come from the paging bench's server (`benches/paging.rs --serve`), a separate process.
# pdpyras is taken from `python3 -c 'import pdpyras'`, else installed with pip under target/.
#
# Run: ./scripts/bench-cli.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p pdrs-cli --bin pdrs
server=$(cargo bench --bench paging --no-run 2>&1 | sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -1)
[ -x "$server" ] || { echo "cannot find the paging bench binary"; exit 1; }
pdrs=./target/release/pdrs
pylib=target/bench-python
if ! python3 -c 'import pdpyras' 2>/dev/null && [ ! -d "$pylib/pdpyras" ] && [ ! -f "$pylib/pdpyras.py" ]; then
  python3 -m pip install --quiet --target "$pylib" pdpyras || echo "pdpyras could not be installed; its side is skipped"
fi
export PYTHONPATH="$pylib${PYTHONPATH:+:$PYTHONPATH}"
have_pdpyras=$(python3 -c 'import pdpyras' 2>/dev/null && echo yes || echo no)

work=$(mktemp -d)
server_pid=
# Starts the page server with $1 ms per request; sets $url.
start_server() {
  "$server" --serve "$1" >"$work/url" &
  server_pid=$!
  for _ in $(seq 100); do [ -s "$work/url" ] && break; sleep 0.05; done
  url=$(head -1 "$work/url")
}
stop_server() {
  [ -n "$server_pid" ] && { kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; }
  server_pid=
}
trap 'stop_server; rm -rf "$work"' EXIT

peak() { /usr/bin/time -f '%M' "$@" 2>&1 >/dev/null | tail -1; }

run_case() {
  local delay=$1 concurrency=$2
  start_server "$delay"
  export PAGERDUTY_API_KEY=bench PAGERDUTY_API_URL="$url"
  echo "== $delay ms per request, pdrs --concurrency $concurrency ($url)"
  local lines
  lines=$("$pdrs" get /users --all --concurrency "$concurrency" -o jsonl | wc -l)
  echo "pdrs wrote $lines records"
  local cmds=("$pdrs get /users --all --concurrency $concurrency -o jsonl")
  if [ "$have_pdpyras" = yes ]; then
    cmds+=("python3 scripts/pdpyras_all.py $url")
  fi
  if command -v hyperfine >/dev/null; then
    hyperfine -N -w 3 -r 20 "${cmds[@]}"
  else
    for c in "${cmds[@]}"; do
      s=$(date +%s.%N); $c >/dev/null; e=$(date +%s.%N)
      printf '%s: %.3f s\n' "$c" "$(echo "$e - $s" | bc)"
    done
  fi
  if [ -x /usr/bin/time ]; then
    echo "peak RSS, pdrs: $(peak "$pdrs" get /users --all --concurrency "$concurrency" -o jsonl) KB"
    [ "$have_pdpyras" = yes ] && echo "peak RSS, pdpyras: $(peak python3 scripts/pdpyras_all.py "$url") KB"
  fi
  stop_server
}

run_case 0 1
run_case 25 8
echo "the floor at 25 ms and 8 at a time: the first page, then 99 pages in 13 rounds: 14 x 25 ms = 0.350 s"

#!/usr/bin/env bash
# Installing the CLI the documented way: `cargo install` of pdrs-cli into a temporary root, with
# the documents only in an api-schema-shaped PDRS_OPENAPI_DIR; then `pdrs --version`, the mock
# started, and users listed from it. Not in the test command (an install builds everything
# again, a few minutes).
#
#   ./scripts/install-check.sh [--release]      (default: --debug, quicker to build)
set -euo pipefail
cd "$(dirname "$0")/.."
PROFILE=${1:---debug}
[ "$PROFILE" = --release ] && PROFILE=""
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pdrs-install-check.XXXXXX")
MOCK_PID=
trap '[ -n "$MOCK_PID" ] && kill "$MOCK_PID" 2>/dev/null; rm -rf "$WORK"' EXIT

./scripts/api-schema-folder.sh "$WORK/api-schema"

START=$SECONDS
PDRS_OPENAPI_DIR="$WORK/api-schema" CARGO_TARGET_DIR=target/install-check \
  cargo install --locked --path cli --root "$WORK/root" $PROFILE --quiet
echo "installed in $((SECONDS - START)) s: $(ls "$WORK/root/bin" | tr '\n' ' ')"
export PATH="$WORK/root/bin:$PATH"
pdrs --version
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pdrs-mock --port "$PORT" >"$WORK/mock.log" 2>&1 &
MOCK_PID=$!
for _ in $(seq 50); do
  (echo >"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && break
  sleep 0.1
done
PAGERDUTY_API_KEY=any pdrs --url "http://127.0.0.1:$PORT" users list --limit 3 -o csv --fields id,email
echo "install check passed"

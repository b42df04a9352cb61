#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, a one-tag feature build, the docs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -e openapi/rest.json ] && [ -z "${PDRS_OPENAPI_DIR:-}" ]; then
  echo "error: openapi/rest.json does not resolve: put PagerDuty's documents in ../shared/openapi or set PDRS_OPENAPI_DIR" >&2
  exit 1
fi

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy (all targets, all features, -D warnings)"
cargo clippy --all-targets --all-features -- -D warnings
echo "== cargo test"
cargo test --all-features -- --nocapture
echo "== one tag alone: cargo check --no-default-features --features users"
cargo check --no-default-features --features users 2>&1 | tee target/one-tag.log
if grep -q "^warning" target/one-tag.log; then echo "the one-tag build has warnings"; exit 1; fi
echo "== cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features --lib
echo "all checks passed"

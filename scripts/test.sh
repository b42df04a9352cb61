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
# The crate with every feature is compiled once for the binaries and integration tests, and once
# more only for rustdoc. The unit tests in src/ (paging, retries, errors: no generated API in them)
# are built and linted with one tag and the CLI's features (which turn on every optional
# dependency, so the dependencies built for the tests serve them too), instead of compiling every
# generated API a second time as their test harness.
echo "== cargo clippy (all targets, all features, -D warnings)"
cargo clippy --all-features --lib --bins --examples --benches --test '*' -- -D warnings
echo "== cargo clippy (unit tests, one tag, -D warnings)"
cargo clippy --no-default-features --features users,cli --lib --profile test -- -D warnings
echo "== cargo test (integration tests, all features)"
cargo test --all-features --test '*' -- --nocapture
echo "== cargo test (doctests, all features)"
cargo test --all-features --doc
echo "== cargo test (unit tests, one tag)"
cargo test --no-default-features --features users,cli --lib
echo "== one tag alone: cargo check --no-default-features --features users"
cargo check --no-default-features --features users 2>&1 | tee target/one-tag.log
if grep -q "^warning" target/one-tag.log; then echo "the one-tag build has warnings"; exit 1; fi
echo "== cargo doc (no warnings)"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --all-features --lib
echo "all checks passed"

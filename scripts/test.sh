#!/usr/bin/env bash
# The project's test command: formatting, lints, every test, a one-tag feature build, the docs.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -e openapi/rest.json ] && [ -z "${PDRS_OPENAPI_DIR:-}" ]; then
  echo "error: openapi/rest.json does not resolve: put PagerDuty's documents in ../shared/openapi or set PDRS_OPENAPI_DIR" >&2
  exit 1
fi

# Lints are checked while the code is compiled, not in a separate `cargo clippy` pass: this is what
# `cargo clippy` does (clippy-driver as the wrapper of the workspace's rustc calls, the lint levels
# in CLIPPY_ARGS), applied to the builds the tests need anyway. Every target `cargo clippy
# --workspace --all-targets --all-features -- -D warnings` would lint is linted: the library, the
# CLI's binaries, examples, benches and integration tests with every feature, and the unit tests
# in src/ (paging, retries, errors: no generated API in them) with one tag and every module (the
# blocking facade, the mock, body validation), which turns on every optional dependency, so the
# dependencies built for the other tests serve them too.
CLIPPY_DRIVER="$(command -v clippy-driver || true)"
if [ -z "$CLIPPY_DRIVER" ]; then
  echo "error: clippy-driver not found: install clippy (rustup component add clippy)" >&2
  exit 1
fi
export RUSTC_WORKSPACE_WRAPPER="$CLIPPY_DRIVER"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

START=$SECONDS
step() { echo "== [$((SECONDS - START)) s] $*"; }

step "cargo fmt --check"
cargo fmt --all -- --check
step "build and lint (-D warnings) with every feature: library, CLI, examples, benches, integration tests"
cargo test --workspace --all-features --examples --bench '*' --test '*' --no-run
# Four test binaries (client, mock, build with the module-cycle check, the CLI's), and the
# examples (`harness = false`), which run their own `main` against the embedded mock.
step "integration tests and the examples, every feature"
env -u PAGERDUTY_API_KEY cargo test --workspace --all-features --test '*' --examples -- --nocapture
step "doctests, every feature"
cargo test --workspace --all-features --doc
ONE_TAG_AND_EVERY_MODULE="users,blocking,mock,receiver,validate"
step "unit tests, built and linted (-D warnings) with one tag"
cargo test --no-default-features --features "$ONE_TAG_AND_EVERY_MODULE" --lib
step "one tag alone, linted (-D warnings): cargo check --no-default-features --features users"
cargo check --no-default-features --features users
# rustdoc's lints are allowed in the generated modules, so the docs are checked with every
# hand-written module and one tag (a hand-written link into a tag's types would break here too);
# rendering every generated API takes rustdoc about 100 s more and checks nothing more.
step "cargo doc (no warnings): every hand-written module, one tag"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --no-default-features --features "$ONE_TAG_AND_EVERY_MODULE" --lib
# The fuzz targets (fuzz/, a workspace of their own) as cargo-fuzz builds them, without libFuzzer's
# instrumentation; their properties run in the unit tests above.
step "fuzz targets compile: cargo check --manifest-path fuzz/Cargo.toml with --cfg fuzzing"
RUSTFLAGS="--cfg fuzzing" cargo check --locked --manifest-path fuzz/Cargo.toml --target-dir target/fuzz-check --bins
# What a user outside this repository gets: the package a registry would receive, unpacked,
# depended on by a project of its own with the documents only in an api-schema-shaped folder;
# and the docs as docs.rs builds them.
step "the package in a project of its own: ./scripts/package-check.sh"
./scripts/package-check.sh
step "all checks passed"

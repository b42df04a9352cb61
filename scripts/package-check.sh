#!/usr/bin/env bash
# The packages a registry would receive, used the way a user would: `cargo package`, the .crate
# unpacked in a temporary folder, a consumer crate beside it that depends on it by path, the
# documents reachable only through an api-schema-shaped PDRS_OPENAPI_DIR. Builds the consumer and
# runs it (it lists users from the mock and makes one typed call); checks what the package holds;
# and builds the docs as docs.rs would (DOCS_RS=1, no documents).
#
#   ./scripts/package-check.sh
#
# Builds in target/package-check (kept between runs).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
# The consumer is not part of this workspace: no clippy wrapper, no workspace flags.
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS PDRS_OPENAPI_DIR
export CARGO_TARGET_DIR="$ROOT/target/package-check"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/pdrs-package-check.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
VERSION=$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="pdrs"))')

echo "-- what the package holds"
LIST=$(cargo package -p pdrs --list --allow-dirty)
for unwanted in '^tests/' '^fuzz/' '^benches/' '^openapi/' '^scripts/' '^generated/' '^examples/' '^proptest-regressions/'; do
  if grep -q "$unwanted" <<<"$LIST"; then
    echo "error: the package holds files it should not ($unwanted):" >&2
    grep "$unwanted" <<<"$LIST" >&2
    exit 1
  fi
done
for wanted in build.rs src/lib.rs README.md LICENSE-MIT LICENSE-APACHE CHANGELOG.md; do
  grep -qx "$wanted" <<<"$LIST" || { echo "error: the package lacks $wanted" >&2; exit 1; }
done
echo "$(wc -l <<<"$LIST") files, none of tests/, fuzz/, benches/, openapi/, scripts/"
CLI_LIST=$(cargo package -p pdrs-cli --list --allow-dirty)
if grep -q '^tests/' <<<"$CLI_LIST"; then
  echo "error: the pdrs-cli package holds its tests (which need the repository)" >&2
  exit 1
fi
for wanted in src/main.rs src/bin/pdrs-mock.rs LICENSE-MIT LICENSE-APACHE; do
  grep -qx "$wanted" <<<"$CLI_LIST" || { echo "error: the pdrs-cli package lacks $wanted" >&2; exit 1; }
done
echo "pdrs-cli: $(wc -l <<<"$CLI_LIST") files, the binaries' sources and the licenses"

echo "-- cargo package -p pdrs"
cargo package -p pdrs --allow-dirty --no-verify --quiet
tar -xzf "$CARGO_TARGET_DIR/package/pdrs-$VERSION.crate" -C "$WORK"

echo "-- an api-schema-shaped folder of links to PagerDuty's documents"
./scripts/api-schema-folder.sh "$WORK/api-schema"

echo "-- a consumer crate depending on the unpacked package"
mkdir -p "$WORK/consumer/src"
cp scripts/consumer/main.rs "$WORK/consumer/src/main.rs"
cat > "$WORK/consumer/Cargo.toml" <<TOML
[package]
name = "consumer"
version = "0.1.0"
edition = "2021"
publish = false

[dependencies]
pdrs = { path = "../pdrs-$VERSION", features = ["mock"] }
serde_json = "1"
tokio = { version = "1", features = ["macros", "rt-multi-thread"] }
TOML
# The versions this repository is tested with.
cp Cargo.lock "$WORK/consumer/Cargo.lock"
(cd "$WORK/consumer" && PDRS_OPENAPI_DIR="$WORK/api-schema" cargo run --quiet)

echo "-- the docs as docs.rs builds them: DOCS_RS=1, no documents"
(cd "$WORK/pdrs-$VERSION" && cp "$ROOT/Cargo.lock" . && DOCS_RS=1 RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --lib --quiet)
grep -q "This build found no OpenAPI documents" "$CARGO_TARGET_DIR/doc/pdrs/index.html"
echo "docs.rs build: the hand-written layer, and the front page says how to get the typed API"

echo "-- without documents, a build says what to do"
if (cd "$WORK/consumer" && PDRS_OPENAPI_DIR="$WORK/empty" cargo build --quiet 2>"$WORK/no-docs.log"); then
  echo "error: the consumer built without documents" >&2
  exit 1
fi
grep -q "git clone https://github.com/PagerDuty/api-schema" "$WORK/no-docs.log" || { cat "$WORK/no-docs.log" >&2; exit 1; }
echo "package check passed"

#!/usr/bin/env bash
# Build times as a user meets them, wall clock and peak memory (GNU time):
#   1. a fresh clone's first `cargo run --example quickstart --features mock` (its own target
#      directory, the registry already downloaded), with `--timings` for where the time went;
#   2. the crate alone (dependencies and build script built, no incremental cache), the whole REST
#      API and one tag, each the best of two runs (this machine's speed varies from run to run).
#
# Run: ./scripts/bench-build.sh            (both)
#      ./scripts/bench-build.sh crate      (the crate-only figures only)
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
measure() { /usr/bin/time -f "%e s, peak %M KB" "$@" 2>&1 >/dev/null | tail -1; }

if [ "${1:-all}" != crate ]; then
  # A sibling of this checkout, so that openapi/'s links resolve as they do here.
  clone="$repo/../pdrs-bench-clone"
  rm -rf "$clone"
  git clone -q "$repo" "$clone"
  echo "== fresh clone: cargo run --example quickstart --features mock"
  echo -n "first build and run: "
  (cd "$clone" && measure cargo run -q --example quickstart --features mock --timings)
  cp "$clone/target/cargo-timings/cargo-timing.html" target/first-build-timings.html
  echo "where the time went: target/first-build-timings.html"
  rm -rf "$clone"
fi

echo "== crate only (CARGO_INCREMENTAL=0), best of two"
for features in rest users; do
  # Warm up with the timed runs' settings: the incremental setting is part of the build script
  # run's identity, so a warm-up without CARGO_INCREMENTAL=0 would leave the first timed run to
  # run the generator again.
  CARGO_INCREMENTAL=0 cargo build -q --lib --no-default-features --features "$features"
  for _ in 1 2; do
    touch src/lib.rs
    echo -n "--features $features: "
    measure env CARGO_INCREMENTAL=0 cargo build -q --lib --no-default-features --features "$features"
  done
done
